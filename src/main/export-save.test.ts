import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { localExportFiles } from '../core/remote/engine-host.ts'
import { createSaveAsHandler, createSaveFileHandler } from './export-save.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'headcount-save-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const engineWith = (files: Record<string, string>) => localExportFiles({ exportFile: (id) => files[id] ?? null })

describe('export save-as', () => {
  it('copies the finished export where the operator chose', async () => {
    const source = join(dir, 'headcount-sessions.csv')
    writeFileSync(source, 'room,user\r\n')
    const target = join(dir, 'chosen.csv')
    const dialog = { showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: target })) }
    const save = createSaveAsHandler(
      () => engineWith({ e1: source }),
      dialog as never,
      () => null,
    )
    await expect(save({ id: 'e1' })).resolves.toEqual({ savedTo: target })
    expect(readFileSync(target, 'utf8')).toBe('room,user\r\n')
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(
      expect.objectContaining({ defaultPath: 'headcount-sessions.csv' }),
    )
  })

  it('does nothing when the operator cancels, and refuses unknown exports', async () => {
    const dialog = { showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })) }
    const save = createSaveAsHandler(
      () => engineWith({ e1: join(dir, 'x.csv') }),
      dialog as never,
      () => null,
    )
    await expect(save({ id: 'e1' })).resolves.toEqual({ savedTo: null })
    const none = createSaveAsHandler(
      () => engineWith({}),
      dialog as never,
      () => null,
    )
    await expect(none({ id: 'e2' })).rejects.toMatchObject({ message: /not finished/ })
    expect(dialog.showSaveDialog).toHaveBeenCalledTimes(1)
  })

  it('says where it could not save, in words', async () => {
    const source = join(dir, 'headcount-sessions.csv')
    writeFileSync(source, 'room,user\r\n')
    const target = join(dir, 'no-such-folder', 'chosen.csv')
    const dialog = { showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: target })) }
    const save = createSaveAsHandler(
      () => engineWith({ e1: source }),
      dialog as never,
      () => null,
    )
    await expect(save({ id: 'e1' })).rejects.toMatchObject({ code: 'failed', message: /^Could not save to .*ENOENT/ })
  })
})

describe('saving a file the console made', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])

  it('offers its name and kind, and writes its bytes where the operator chose', async () => {
    const target = join(dir, 'chosen.png')
    const dialog = { showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: target })) }
    const save = createSaveFileHandler(dialog as never, () => null)
    await expect(save({ name: 'headcount-overview.png', data: png.toString('base64') })).resolves.toEqual({
      savedTo: target,
    })
    expect(readFileSync(target)).toEqual(png)
    expect(dialog.showSaveDialog).toHaveBeenCalledWith({
      defaultPath: 'headcount-overview.png',
      filters: [{ name: 'PNG image', extensions: ['png'] }],
    })
  })

  it('writes nothing when the operator cancels, and says where it could not write', async () => {
    const cancel = createSaveFileHandler(
      { showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })) } as never,
      () => null,
    )
    await expect(cancel({ name: 'data.csv', data: 'YQ==' })).resolves.toEqual({ savedTo: null })
    const target = join(dir, 'no-such-folder', 'data.csv')
    const failing = createSaveFileHandler(
      { showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: target })) } as never,
      () => null,
    )
    await expect(failing({ name: 'data.csv', data: 'YQ==' })).rejects.toMatchObject({
      code: 'failed',
      message: /^Could not save to .*ENOENT/,
    })
  })
})
