// Versions before deleting a connection removed all its files left its spend ledger and the copies of
// its files set aside or half-written. At start the engine removes those of connections that no longer
// exist, but only when the settings were read as stored: after an unreadable settings file is reset to
// defaults every connection would look deleted, so nothing is removed then.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { spendLedgerPath } from '../../../src/core/broadcast/spend-ledger.ts'
import type { Engine } from '../../../src/core/engine.ts'
import { historyPathFor } from '../../../src/core/history/paths.ts'
import { silentLogger, type Logger } from '../../../src/core/logger.ts'
import { engineOverDataDir, filesUnder } from '../support/data-folder.ts'

const dirs: string[] = []
const engines: Engine[] = []
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A logger that keeps its lines, to read what the start said. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (message) => void lines.push(`info: ${message}`),
    warn: (message) => void lines.push(`warn: ${message}`),
    error: (message) => void lines.push(`error: ${message}`),
  }
}

/** An engine over the data folder, its settings and secrets in files as `headcount serve` keeps them. */
function engineOver(dataDir: string, logger: Logger = silentLogger): Engine {
  const engine = engineOverDataDir(dataDir, { logger })
  engines.push(engine)
  return engine
}

const connection = { appId: '1', key: 'key', target: { kind: 'cluster' as const, cluster: 'eu' } }
const DELETED = '0b7e6c1a-5d1f-4f1e-9a53-2f0f3c1d2e4b'

/**
 * A data folder with one live connection (friend graph, spend ledger, a set-aside copy of each) and
 * the leftovers of one deleted before the fix: spend ledger, set-aside and half-written copies, and its
 * history, which stays. Returns the live connection's id.
 */
async function folderWithLeftovers(dataDir: string): Promise<string> {
  const engine = engineOver(dataDir)
  const live = await engine.handlers['profiles.save']({ name: 'live', connection, secret: 'secret' })
  engine.handlers['friends.import']({ id: live.id, csv: 'user,friend\nann,bob\n', mutual: true })
  await engine.close()
  engines.splice(engines.indexOf(engine), 1)
  const live1 = spendLedgerPath(dataDir, live.id)
  const dead = spendLedgerPath(dataDir, DELETED)
  for (const folder of ['history', 'broadcast', 'friends']) mkdirSync(join(dataDir, folder), { recursive: true })
  for (const path of [
    live1,
    `${live1}.invalid-2026-03-04T00-00-00-000Z`,
    join(dataDir, 'friends', `${live.id}.json.invalid-2026-03-04T00-00-00-000Z`),
    dead,
    `${dead}.invalid-2026-03-04T00-00-00-000Z`,
    `${dead}.4242.tmp`,
    join(dataDir, 'friends', `${DELETED}.json.invalid-2026-03-04T00-00-00-000Z`),
    join(dataDir, 'friends', `${DELETED}.json.31337.tmp`),
    historyPathFor(dataDir, DELETED),
    // Not a shape Headcount writes: someone else's, left alone.
    join(dataDir, 'broadcast', 'notes.txt'),
    join(dataDir, 'friends', `${DELETED}.json.bak`),
  ])
    writeFileSync(path, '{}')
  return live.id
}

describe('files of connections deleted before deleting removed them', () => {
  it('are removed at start, in one line of the log; live connections, history and other files stay', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-sweep-'))
    dirs.push(dataDir)
    const live = await folderWithLeftovers(dataDir)
    const before = filesUnder(dataDir)

    const logger = recordingLogger()
    engineOver(dataDir, logger)
    const removed = [
      `broadcast/${DELETED}.spend.json`,
      `broadcast/${DELETED}.spend.json.4242.tmp`,
      `broadcast/${DELETED}.spend.json.invalid-2026-03-04T00-00-00-000Z`,
      `friends/${DELETED}.json.31337.tmp`,
      `friends/${DELETED}.json.invalid-2026-03-04T00-00-00-000Z`,
    ]
    expect(filesUnder(dataDir)).toEqual(before.filter((file) => !removed.includes(file)))
    expect(filesUnder(dataDir)).toEqual(
      expect.arrayContaining([
        `broadcast/${live}.spend.json`,
        `broadcast/${live}.spend.json.invalid-2026-03-04T00-00-00-000Z`,
        `friends/${live}.json`,
        `friends/${live}.json.invalid-2026-03-04T00-00-00-000Z`,
        `history/${DELETED}.sqlite`,
        'broadcast/notes.txt',
        `friends/${DELETED}.json.bak`,
      ]),
    )
    const said = logger.lines.filter((line) => line.includes('deleted earlier'))
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/^info: Removed 5 files of connections deleted earlier: /)
    for (const file of removed) expect(said[0]).toContain(file)

    // The next start finds nothing to remove and says nothing about it.
    const again = recordingLogger()
    engineOver(dataDir, again)
    expect(again.lines.filter((line) => line.includes('deleted earlier'))).toEqual([])
  })

  it('are left alone when settings.json could not be read and defaults were loaded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-sweep-'))
    dirs.push(dataDir)
    await folderWithLeftovers(dataDir)
    writeFileSync(join(dataDir, 'settings.json'), '{"version": 1, "profiles": [')
    const before = filesUnder(dataDir).filter((file) => !file.startsWith('settings.json'))

    const logger = recordingLogger()
    engineOver(dataDir, logger)
    expect(logger.lines.some((line) => line.startsWith('warn: Settings file'))).toBe(true)
    // Everything but settings.json (kept aside, and a fresh one) is as it was: the live connection's too.
    expect(filesUnder(dataDir).filter((file) => !file.startsWith('settings.json'))).toEqual(before)
    expect(logger.lines.filter((line) => line.includes('deleted earlier'))).toEqual([])
  })

  it('are left alone when there is no settings.json at all', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'headcount-sweep-'))
    dirs.push(dataDir)
    await folderWithLeftovers(dataDir)
    rmSync(join(dataDir, 'settings.json'))
    const before = filesUnder(dataDir)
    engineOver(dataDir)
    expect(filesUnder(dataDir)).toEqual(before)
  })
})
