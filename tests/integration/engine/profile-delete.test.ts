// A deleted connection leaves nothing of itself in the data folder but its history (the record of what
// was watched): settings, secret, broadcast settings, alert rules, webhook setup, friend graph, the
// broadcaster's spend and the copies of its files set aside or half-written. A restart brings none back.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { spendLedgerPath } from '../../../src/core/broadcast/spend-ledger.ts'
import type { Engine } from '../../../src/core/engine.ts'
import { historyPathFor } from '../../../src/core/history/paths.ts'
import { startDemoCrowd } from '../../../src/emulator/demo.ts'
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, freePort } from './engine-harness.ts'
import { engineOverDataDir, filesUnder } from '../support/data-folder.ts'

const dirs: string[] = []
const engines: Engine[] = []
let emulator: RunningEmulator | undefined
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close()
  await emulator?.close()
  emulator = undefined
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** An engine over the data folder, its settings and secrets in files as `headcount serve` keeps them. */
function engineOver(dataDir: string): Engine {
  const engine = engineOverDataDir(dataDir, { demo: { start: () => startDemoCrowd() }, requestTimeoutMs: 3000 })
  engines.push(engine)
  return engine
}

async function until<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read()
    if (accept(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('deleting a connection', () => {
  it('removes everything kept for it but its history, and a restart brings none of it back', async () => {
    emulator = await startEmulator({ vacateDelayMs: 0 })
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-delete-'))
    dirs.push(dataDir)
    const engine = engineOver(dataDir)
    const { handlers } = engine
    // A second connection whose files must all stay.
    const kept = await handlers['profiles.save']({
      name: 'kept',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
    })
    handlers['friends.import']({ id: kept.id, csv: 'user,friend\nann,bob\n', mutual: true })

    const doomed = await handlers['profiles.save']({
      name: 'doomed',
      connection: emulatorConnection(emulator),
      secret: emulator.secret,
      sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'hybrid', pollIntervalSec: 1, webhookPort: await freePort() },
    })
    const id = doomed.id
    handlers['alerts.saveRule']({ id, rule: { kind: 'room-above', room: 'lobby', people: 1, enabled: true } })
    const imported = handlers['friends.import']({ id, csv: 'user,friend\nann,bob\ncat,dan\n', mutual: true })
    expect(imported).toMatchObject({ ok: true })

    // Watched and broadcasting, so the broadcaster keeps its spend on disk.
    await handlers['connection.connect']({ id })
    // With a budget the spend is written before every send.
    const budget = { messagesPerDay: 1_000_000, plan: null }
    await handlers['broadcast.set']({ id, settings: { enabled: true, intervalMs: 100, budget } })
    emulator.injectMany([{ channel: 'private-lobby-ann' }, { channel: 'private-lobby-bob' }])
    handlers['sync.now'](undefined)
    await until(
      async () => (await handlers['status.get'](undefined)).broadcast?.messagesToday ?? 0,
      (messages) => messages > 0,
      'the broadcaster to spend',
    )
    const spend = spendLedgerPath(dataDir, id)
    await until(() => existsSync(spend), Boolean, 'the spend file')
    // What a crash or an unreadable file leaves beside a profile's files.
    writeFileSync(`${spend}.invalid-2026-03-04T00-00-00-000Z`, '{')
    writeFileSync(`${spend}.4242.tmp`, '{')
    writeFileSync(join(dataDir, 'friends', `${id}.json.4242.tmp`), '{')

    const before = filesUnder(dataDir)
    expect(before).toEqual(
      expect.arrayContaining([
        `broadcast/${id}.spend.json`,
        `friends/${id}.json`,
        `history/${id}.sqlite`,
        `friends/${kept.id}.json`,
      ]),
    )
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain(`profile:${id}`)
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toContain(id)

    await handlers['profiles.delete']({ id })

    const mentioning = (files: string[]) => files.filter((file) => file.includes(id))
    const history = relative(dataDir, historyPathFor(dataDir, id))
    // Only the history (with SQLite's companions while open) stays: it is the record.
    expect(mentioning(filesUnder(dataDir)).filter((file) => !file.startsWith(history))).toEqual([])
    expect(existsSync(historyPathFor(dataDir, id))).toBe(true)
    // Neither settings (alert rules, webhook setup, broadcast settings, the active mark) nor secrets name it.
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toContain(id)
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain(id)
    // The other connection keeps everything.
    expect(filesUnder(dataDir)).toContain(`friends/${kept.id}.json`)
    expect((await handlers['profiles.list'](undefined)).map((profile) => profile.id)).toEqual([kept.id])
    expect(await handlers['status.get'](undefined)).toMatchObject({ connection: 'disconnected', profileId: null })

    // A restart over the same folder: nothing of it is resumed, listed or written again.
    await engine.close()
    engines.splice(engines.indexOf(engine), 1)
    const restarted = engineOver(dataDir)
    await restarted.resume()
    expect((await restarted.handlers['profiles.list'](undefined)).map((profile) => profile.id)).toEqual([kept.id])
    expect(await restarted.handlers['status.get'](undefined)).toMatchObject({ connection: 'disconnected' })
    expect(() => restarted.handlers['friends.get']({ id })).toThrow(/No saved connection/)
    await restarted.close()
    engines.splice(engines.indexOf(restarted), 1)
    expect(mentioning(filesUnder(dataDir)).filter((file) => !file.startsWith(history))).toEqual([])
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain(id)
  }, 60_000)
})
