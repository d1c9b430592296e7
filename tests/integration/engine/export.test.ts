import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, EngineHarness } from './engine-harness.ts'

let emulator: RunningEmulator | undefined
let harness: EngineHarness | undefined
afterEach(async () => {
  await harness?.close()
  await emulator?.close()
})

describe('exports through the contract', () => {
  it('writes occupancy and sessions CSV with progress events, and refuses without a connection', async () => {
    emulator = await startEmulator()
    const h = (harness = new EngineHarness())
    await expect(
      Promise.resolve().then(() =>
        h.handlers['export.start']({ kind: 'occupancy', from: 0, to: 1, resolution: 'raw', layout: 'long' }),
      ),
    ).rejects.toMatchObject({
      message: /connect to an app first/,
    })
    const profile = await h.handlers['profiles.save']({
      name: 'emulator',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, pollIntervalSec: 1 },
    })
    const from = Date.now() - 1000
    await h.handlers['connection.connect']({ id: profile.id })
    const handles = emulator.injectMany([{ channel: 'private-lobby-ana' }, { channel: 'private-lobby-ben' }])
    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 2,
      'two people',
    )
    emulator.removeInjected(handles[0] as number)
    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 1,
      'ana gone',
    )

    const started = await h.handlers['export.start']({
      kind: 'occupancy',
      rooms: ['lobby'],
      from,
      to: Date.now() + 1000,
      resolution: 'raw',
      layout: 'long',
    })
    expect(started.state).toBe('running')
    const done = await h.until(
      () => h.events('export.progress').find((progress) => progress.id === started.id && progress.state !== 'running'),
      (progress) => progress !== undefined,
      'the export to finish',
    )
    expect(done).toMatchObject({ state: 'done', error: null })
    const csv = readFileSync(done?.file as string, 'utf8').split('\r\n')
    expect(csv[0]).toBe('time,room,count,gap')
    expect(csv.filter((line) => line.includes(',lobby,')).map((line) => line.split(',')[2])).toEqual(
      expect.arrayContaining(['2', '1']),
    )

    const sessions = await h.handlers['export.start']({
      kind: 'sessions',
      from,
      to: Date.now() + 1000,
      resolution: 'raw',
      layout: 'long',
    })
    const sessionsDone = await h.until(
      () => h.events('export.progress').find((progress) => progress.id === sessions.id && progress.state === 'done'),
      (progress) => progress !== undefined,
      'the sessions export',
    )
    const rows = readFileSync(sessionsDone?.file as string, 'utf8')
      .trim()
      .split('\r\n')
    expect(rows[0]).toBe('room,user,group,joined,left,duration_s,join_note,leave_note')
    expect(
      rows
        .slice(1)
        .map((row) => row.split(',').slice(0, 2).join('/'))
        .sort(),
    ).toEqual(['lobby/ana', 'lobby/ben'])
    expect(existsSync(done?.file as string)).toBe(true)
    // A console that opens now (or reloads) finds both, oldest first, with what was asked and how they ended.
    const listed = await h.handlers['export.list'](undefined)
    expect(listed.map((job) => [job.request.kind, job.progress.state, job.progress.rows])).toEqual([
      ['occupancy', 'done', done?.rows],
      ['sessions', 'done', sessionsDone?.rows],
    ])
    expect(listed[0]?.request.rooms).toEqual(['lobby'])
    expect(() => h.handlers['export.cancel']({ id: 'no-such-export' })).toThrow(/No export with that id/)
  })
})
