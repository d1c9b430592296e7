import type { MenuItemConstructorOptions } from 'electron'

export interface MenuActions {
  reload(): void
  toggleDevTools(): void
  openDocs(): void
  quit(): void
}

/** The application menu; kept as data so it can be tested without Electron. */
export function menuTemplate(
  platform: NodeJS.Platform,
  actions: MenuActions,
  isDev: boolean,
): MenuItemConstructorOptions[] {
  const appMenu: MenuItemConstructorOptions[] =
    platform === 'darwin'
      ? [
          {
            label: 'Headcount',
            submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'quit' }],
          },
        ]
      : []
  const view: MenuItemConstructorOptions[] = [
    { label: 'Reload', accelerator: 'CmdOrCtrl+R', click: actions.reload },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  if (isDev)
    view.push({ type: 'separator' }, { label: 'Developer Tools', accelerator: 'F12', click: actions.toggleDevTools })
  return [
    ...appMenu,
    {
      label: 'File',
      submenu: [
        { label: platform === 'darwin' ? 'Close Window' : 'Quit', accelerator: 'CmdOrCtrl+Q', click: actions.quit },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    { label: 'Help', submenu: [{ label: 'Pusher Channels documentation', click: actions.openDocs }] },
  ]
}
