import { writeFile } from 'node:fs/promises'
import { extname } from 'node:path'
import type { BrowserWindow, Dialog } from 'electron'
import { ApiError } from '../shared/envelope.ts'
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

const FILTERS: Record<string, { name: string; extensions: string[] }> = {
  '.png': { name: 'PNG image', extensions: ['png'] },
  '.csv': { name: 'CSV', extensions: ['csv'] },
}

/**
 * The desktop's "save as" for a file the console made itself (a chart as PNG, the data behind it as
 * CSV): asks where, then writes the bytes there. The contract has already checked the name and size.
 */
export function createSaveFileHandler(
  dialog: Pick<Dialog, 'showSaveDialog'>,
  window: () => BrowserWindow | null,
): Handlers['export.saveFile'] {
  return async ({ name, data }) => {
    const filter = FILTERS[extname(name).toLowerCase()]
    const options = { defaultPath: name, filters: filter ? [filter] : [] }
    const owner = window()
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
    if (choice.canceled || !choice.filePath) return { savedTo: null }
    try {
      await writeFile(choice.filePath, Buffer.from(data, 'base64'))
    } catch (error) {
      throw new ApiError('failed', `Could not save to ${choice.filePath}: ${(error as Error).message}`)
    }
    return { savedTo: choice.filePath }
  }
}
