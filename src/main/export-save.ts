import type { BrowserWindow, Dialog } from 'electron'
import type { ExportFiles } from '../core/remote/engine-host.ts'
import type { Handlers } from '../core/rpc/dispatch.ts'

/**
 * The desktop's "save as" for a finished export: asks the operator where they want the file, then
 * has the engine shown put it there (a copy from this computer's engine folder, or a download from
 * the shared server).
 */
export function createSaveAsHandler(
  files: () => ExportFiles,
  dialog: Pick<Dialog, 'showSaveDialog'>,
  window: () => BrowserWindow | null,
): Handlers['export.saveAs'] {
  return async ({ id }) => {
    const source = files()
    const options = { defaultPath: await source.nameOf(id), filters: [{ name: 'CSV', extensions: ['csv'] }] }
    const owner = window()
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
    if (choice.canceled || !choice.filePath) return { savedTo: null }
    await source.saveTo(id, choice.filePath)
    return { savedTo: choice.filePath }
  }
}
