import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import type { NamingConvention } from '../../../src/shared/naming.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'
import { emulatorConnection, type EngineHarness, freePort, openedPerTest } from './engine-harness.ts'

// What history promises (DESIGN §5a) through the engine's contract, against the emulator.

const opened = openedPerTest()

/** Reads two-part names as the default template does, and three-part ones with their group. */
const WITH_OPTIONAL_GROUP: NamingConvention = {
  kind: 'regex',
  pattern: 'private-(?<room>[^-]+)(?:-(?<group>red|blue))?-(?<user>[^-]+)',
}
const PLAIN = 150
const GROUPED = 50

async function watchEmulator(h: EngineHarness, target: RunningEmulator) {
  const profile = await h.handlers['profiles.save']({
    name: 'emulator',
    connection: emulatorConnection(target),
    secret: target.secret,
    sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 1 },
  })
  await h.handlers['connection.connect']({ id: profile.id })
  return profile
}

async function exported(
  h: EngineHarness,
  request: Parameters<EngineHarness['handlers']['export.start']>[0],
): Promise<string[]> {
  const started = await h.handlers['export.start'](request)
  const done = await h.until(
    () => h.events('export.progress').find((progress) => progress.id === started.id && progress.state !== 'running'),
    (progress) => progress !== undefined,
    'the export to finish',
  )
  expect(done).toMatchObject({ state: 'done' })
  return readFileSync(done?.file as string, 'utf8')
    .trimEnd()
    .split('\r\n')
}

describe('a naming-convention change on a live crowd', () => {
  it(
    'is a new reading: no joins or leaves, unchanged users keep their sessions, and the change is an event',
    {
      timeout: 60_000,
    },
    async () => {
      const emulator = await opened.emulator()
      const h = opened.harness()
      const from = Date.now() - 1000
      const profile = await watchEmulator(h, emulator)
      emulator.injectMany([
        ...Array.from({ length: PLAIN }, (_, i) => ({ channel: `private-room${i % 3}-plain${i}` })),
        ...Array.from({ length: GROUPED }, (_, i) => ({ channel: `private-room${i % 3}-red-tagged${i}` })),
      ])
      h.engine.handlers['sync.now'](undefined)
      await h.until(
        () => h.handlers['rooms.list'](undefined),
        (rooms) => rooms.total === PLAIN + GROUPED,
        'the crowd',
      )

      // Before saving: what would change, computed on the live channels.
      const impact = await h.handlers['convention.impact']({ id: profile.id, convention: WITH_OPTIONAL_GROUP })
      expect(impact).toMatchObject({ live: true, channels: PLAIN + GROUPED, changed: GROUPED })
      expect(impact.examples[0]?.after?.group).toBe('red')

      const ticksBefore = h.events('tick').length
      await h.handlers['convention.set']({ id: profile.id, convention: WITH_OPTIONAL_GROUP })
      const regrouped = await h.until(
        () => h.handlers['rooms.list'](undefined),
        (rooms) => rooms.rooms.reduce((sum, room) => sum + (room.groups.red ?? 0), 0) === GROUPED,
        'the crowd read with groups',
      )
      expect(regrouped.total).toBe(PLAIN + GROUPED)
      h.engine.handlers['sync.now'](undefined)
      await h.until(
        () => h.events('tick').length,
        (count) => count >= ticksBefore + 2,
        'a tick after the new reading',
      )
      // Nobody joined or left: the rates and the recent feed see no crowd.
      const after = h.events('tick').slice(ticksBefore)
      expect(after.reduce((sum, tick) => sum + tick.joins + tick.leaves, 0)).toBe(0)
      expect(after.flatMap((tick) => tick.recent).filter((event) => event.at >= (after[0]?.at ?? 0))).toEqual([])

      const to = Date.now() + 1000
      const annotations = await h.handlers['history.annotations']({ from, to })
      expect(annotations.instants).toEqual([
        expect.objectContaining({
          kind: 'convention',
          label: 'Naming convention changed',
          detail: expect.stringContaining('private-{room}-{user} →'),
        }),
      ])

      const sessions = await exported(h, { kind: 'sessions', from, to, resolution: 'raw', layout: 'long' })
      expect(sessions[0]).toBe('room,user,group,joined,left,duration_s,join_note,leave_note')
      const rows = sessions.slice(1)
      // One session for each unchanged user; the changed ones end and begin again, marked so.
      expect(rows.filter((row) => row.includes(',plain'))).toHaveLength(PLAIN)
      expect(rows.filter((row) => row.includes(',plain') && row.split(',')[4] !== '')).toEqual([])
      const ended = rows.filter((row) => row.endsWith('this is when last seen'))
      expect(ended).toHaveLength(GROUPED)
      expect(ended.every((row) => row.includes(',red-tagged'))).toBe(true)
      expect(ended.every((row) => row.includes('naming convention changed'))).toBe(true)
      const begun = rows.filter((row) => row.includes(',red,') && row.includes('read anew after the naming convention'))
      expect(begun).toHaveLength(GROUPED)
      expect(rows).toHaveLength(PLAIN + 2 * GROUPED)

      const occupancy = await exported(h, { kind: 'occupancy', from, to, resolution: 'raw', layout: 'long' })
      expect(occupancy.some((row) => row.includes('Naming convention changed'))).toBe(true)
      expect(occupancy.some((row) => row.includes('Headcount was not recording'))).toBe(false)
    },
  )
})

describe('changes of how the app is watched', () => {
  it(
    'are events in the history: the sync mode and broadcasting on or off; a restart for new settings is a gap with that cause',
    {
      timeout: 60_000,
    },
    async () => {
      const emulator = await opened.emulator()
      const h = opened.harness()
      const from = Date.now() - 1000
      const profile = await watchEmulator(h, emulator)
      emulator.injectMany(Array.from({ length: 10 }, (_, i) => ({ channel: `private-hall-user${i}` })))
      h.engine.handlers['sync.now'](undefined)
      await h.until(
        () => h.handlers['rooms.list'](undefined),
        (rooms) => rooms.total === 10,
        'the crowd',
      )
      await h.handlers['broadcast.set']({ id: profile.id, settings: { enabled: true } })
      await h.handlers['broadcast.set']({ id: profile.id, settings: { enabled: false } })
      await h.handlers['sync.setOptions']({
        id: profile.id,
        options: { ...DEFAULT_SYNC_OPTIONS, mode: 'hybrid', webhookPort: await freePort(), pollIntervalSec: 1 },
      })
      await h.until(
        () => h.handlers['status.get'](undefined),
        (status) => status.sync?.mode === 'hybrid' && status.sync.state === 'ok',
        'hybrid syncing',
      )
      const annotations = await h.until(
        () => h.handlers['history.annotations']({ from, to: Date.now() + 1000 }),
        (marks) => marks.spans.length > 0,
        'the restart’s gap closed by the next tick',
      )
      expect(annotations.instants.map((mark) => [mark.kind, mark.label, mark.detail])).toEqual([
        ['broadcast', 'Broadcasting on', ''],
        ['broadcast', 'Broadcasting off', ''],
        ['sync-mode', 'Sync mode changed', 'poll → hybrid'],
      ])
      expect(annotations.spans).toEqual([
        expect.objectContaining({
          kind: 'gap',
          label: 'Sync settings changed',
          detail: expect.stringContaining('hybrid'),
        }),
      ])
      // Nobody left or joined over the restart.
      const sessions = await exported(h, {
        kind: 'sessions',
        from,
        to: Date.now() + 1000,
        resolution: 'raw',
        layout: 'long',
      })
      expect(sessions.slice(1)).toHaveLength(10)
      expect(sessions.slice(1).every((row) => row.split(',')[4] === '')).toBe(true)
    },
  )
})

describe('the demo, its own connection', () => {
  it('stopping it while another app is watched changes nothing there', { timeout: 90_000 }, async () => {
    const emulator = await opened.emulator()
    const h = opened.harness()
    emulator.injectMany(Array.from({ length: 20 }, (_, i) => ({ channel: `private-hall-user${i}` })))

    // The demo first, then another app: watching it stops the demo's crowd, and the labels go.
    expect(await h.handlers['demo.start'](undefined)).toMatchObject({ demo: true })
    const from = Date.now()
    const profile = await watchEmulator(h, emulator)
    expect(h.handlers['status.get'](undefined)).toMatchObject({ demo: false, profileId: profile.id })
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total === 20,
      'the app being watched',
    )
    const connected = await h.until(
      () => h.handlers['status.get'](undefined),
      (status) => status.connection === 'connected',
      'connected',
    )
    const ticks = h.events('tick').length

    const stopped = await h.handlers['demo.stop'](undefined)
    expect(stopped).toMatchObject({ connection: 'connected', profileId: profile.id, demo: false })
    h.engine.handlers['sync.now'](undefined)
    await h.until(
      () => h.events('tick').length,
      (count) => count > ticks,
      'the next sync of the app watched',
    )
    const later = h.handlers['status.get'](undefined)
    expect(later).toMatchObject({ connection: 'connected', profileId: profile.id, demo: false })
    expect(
      h
        .events('tick')
        .slice(ticks)
        .every((tick) => !tick.baseline),
    ).toBe(true)
    // No gap, no reconnection in this app's history.
    const annotations = await h.handlers['history.annotations']({ from, to: Date.now() + 1000 })
    expect(annotations.spans).toEqual([])
    expect(connected.profileId).toBe(profile.id)

    // Watching the demo again starts a crowd for it on a live port, and shows the demo's labels.
    const demoProfile = (await h.handlers['profiles.list'](undefined)).find((p) => p.id !== profile.id)
    const resumed = await h.handlers['connection.connect']({ id: demoProfile?.id as string })
    expect(resumed).toMatchObject({ demo: true })
    await h.until(
      () => h.handlers['rooms.list'](undefined),
      (rooms) => rooms.total > 100,
      'the demo crowd again',
    )
    await h.until(
      () => h.handlers['status.get'](undefined),
      (status) => status.connection === 'connected' && status.demo,
      'the demo connected, with its labels',
    )
  })
})
