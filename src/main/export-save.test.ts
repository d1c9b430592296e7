import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { localExportFiles } from '../core/remote/engine-host.ts'
import { createSaveAsHandler } from './export-save.ts'

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
