import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { silentLogger } from '../logger.ts'
import { FriendGraph } from './friend-graph.ts'
import { FriendStore } from './friend-store.ts'

let dataDir: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'headcount-friends-'))
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

describe('FriendStore', () => {
  it('keeps each graph in a file only its owner can read', () => {
    const store = new FriendStore(dataDir, silentLogger)
    store.save('p1', FriendGraph.fromPairs([['ana', 'ben']], true), true, '2026-01-01T00:00:00.000Z')
    expect(statSync(join(dataDir, 'friends')).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'friends', 'p1.json')).mode & 0o777).toBe(0o600)
    const reread = new FriendStore(dataDir, silentLogger).load('p1')
    expect(reread?.graph.edges).toBe(2)
  })

  it('reports a damaged graph without repeating what it holds', () => {
    mkdirSync(join(dataDir, 'friends'))
    writeFileSync(join(dataDir, 'friends', 'p1.json'), '{"version":1,"users":["private-person-name"')
    writeFileSync(join(dataDir, 'friends', 'p2.json'), '{"version":1,"users":["another-private-name"]}')
    const logger = { ...silentLogger, warn: vi.fn() }
    const store = new FriendStore(dataDir, logger)
    expect(store.load('p1')).toBeNull()
    expect(store.load('p2')).toBeNull()
    expect(logger.warn).toHaveBeenCalledTimes(2)
    expect(logger.warn.mock.calls[0]?.[0]).toMatch(/p1\.json could not be read \(not valid JSON.*\); import it again$/)
    expect(logger.warn.mock.calls[1]?.[0]).toMatch(/p2\.json could not be read \(not a friend graph Headcount wrote\)/)
    expect(JSON.stringify(logger.warn.mock.calls)).not.toMatch(/private/)
  })
})
