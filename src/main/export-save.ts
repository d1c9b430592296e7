import type { BrowserWindow, Dialog } from 'electron'
import { copyFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { ApiError } from '../shared/envelope.ts'
import type { Handlers } from '../core/rpc/dispatch.ts'

/**
 * The desktop's "save as" for a finished export: the engine writes exports into its own folder; this
 * asks the operator where they want the file and copies it there.
 */
export function createSaveAsHandler(
  exportFile: (id: string) => string | null,
  dialog: Pick<Dialog, 'showSaveDialog'>,
  window: () => BrowserWindow | null,
): Handlers['export.saveAs'] {
  return async ({ id }) => {
    const file = exportFile(id)
    if (!file) throw new ApiError('failed', 'That export is not finished, or its file is gone')
    const options = { defaultPath: basename(file), filters: [{ name: 'CSV', extensions: ['csv'] }] }
    const owner = window()
    const choice = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options)
    if (choice.canceled || !choice.filePath) return { savedTo: null }
    try {
      await copyFile(file, choice.filePath)
    } catch (error) {
      throw new ApiError('failed', `Could not save to ${choice.filePath}: ${(error as Error).message}`)
    }
    return { savedTo: choice.filePath }
  }
}
