import { describe, expect, it } from 'vitest'
import {
  CHART_ROOM_LIMIT,
  DEFAULT_EXPORT_FORM,
  DEFAULT_PARTICIPANTS_QUERY,
  DEFAULT_ROOMS_QUERY,
  type ExportForm,
} from '../store/slices/ui-slice.ts'
import { DEFAULT_RANGE } from '../store/slices/history-slice.ts'
import {
  EXPORT_LINK_ROOM_CHARS,
  exportRoomsInLink,
  parseLocation,
  serializeLocation,
  type ViewLocation,
} from './url-state.ts'

const T0 = Date.UTC(2026, 2, 4, 14, 3, 7, 250)

const overview = (change: Partial<Extract<ViewLocation, { view: 'overview' }>> = {}): ViewLocation => ({
  view: 'overview',
  range: DEFAULT_RANGE,
  resetTo: null,
  pins: [],
  hidden: [],
  scale: 'linear',
  rooms: DEFAULT_ROOMS_QUERY,
  ...change,
})

const rooms = (change: Partial<Extract<ViewLocation, { view: 'rooms' }>> = {}): ViewLocation => ({
  view: 'rooms',
  range: DEFAULT_RANGE,
  resetTo: null,
  room: null,
  participants: DEFAULT_PARTICIPANTS_QUERY,
  ...change,
})

const exportView = (change: Partial<ExportForm> = {}): ViewLocation => ({
  view: 'export',
  form: { ...DEFAULT_EXPORT_FORM, ...change },
})

describe('URL state', () => {
  it('writes short, readable hashes and leaves defaults out', () => {
    expect(serializeLocation(overview())).toBe('#/overview?range=1h')
    expect(serializeLocation({ view: 'settings' })).toBe('#/settings')
    expect(
      serializeLocation(
        rooms({
          room: 'hall 2/b',
          range: { kind: 'fixed', from: T0, to: T0 + 40_000 },
          resetTo: { kind: 'preset', preset: '5m' },
          participants: { search: 'ann', sort: 'joined', descending: true },
        }),
      ),
    ).toBe(
      '#/rooms/hall%202%2Fb?from=2026-03-04T14%3A03%3A07.250Z&to=2026-03-04T14%3A03%3A47.250Z&reset=5m&q=ann&sort=joined&order=desc',
    )
  })

  it('reads back exactly what it wrote, for every view and parameter', () => {
    const locations: ViewLocation[] = [
      overview(),
      overview({
        range: { kind: 'preset', preset: '7d' },
        pins: ['room2', 'room10', 'a,b&c=d', 'ünïcode ✓'],
        hidden: ['*total*', 'room2'],
        scale: 'log',
        rooms: { search: 'red team', sort: 'room', descending: false },
      }),
      overview({
        range: { kind: 'fixed', from: T0, to: T0 + 3_600_000 },
        resetTo: { kind: 'preset', preset: '24h' },
        scale: 'share',
        rooms: { search: '', sort: 'count', descending: false },
      }),
      rooms(),
      rooms({ room: 'lobby', participants: { search: '', sort: 'user', descending: false } }),
      rooms({ room: '#?&/%', participants: { search: '50%', sort: null, descending: false } }),
      { view: 'connections' },
      { view: 'broadcast' },
      exportView(),
      exportView({
        kind: 'sessions',
        resolution: '1h',
        layout: 'wide',
        allRooms: false,
        rooms: ['room10', 'room2', 'a,b&c=d', 'ünïcode ✓'],
        roomSearch: 'room 1',
        includeEmptied: false,
        from: T0,
        to: T0 + 3_600_000,
        deliver: false,
      }),
      exportView({ allRooms: false, from: T0 }),
      exportView({ resolution: 'raw', to: T0 }),
      { view: 'settings' },
    ]
    for (const location of locations) {
      const hash = serializeLocation(location)
      expect(parseLocation(hash), hash).toEqual(location)
      expect(serializeLocation(parseLocation(hash))).toBe(hash)
    }
  })

  it('opens the overview, unchanged, for an empty or unknown hash', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#garbage?x=1', '#//overview', '#/OVERVIEW'])
      expect(parseLocation(hash), hash).toEqual(overview())
  })

  it('ignores parameters it cannot read and keeps the rest', () => {
    expect(
      parseLocation('#/overview?range=2y&scale=cubic&sort=weight&order=sideways&q=lobby&pin=&pin=lobby&pin=lobby'),
    ).toEqual(overview({ pins: ['lobby'], rooms: { ...DEFAULT_ROOMS_QUERY, search: 'lobby' } }))
    // A window must have both ends, in order, at least ten seconds apart, in ISO form with a zone.
    for (const window of [
      `from=${new Date(T0).toISOString()}`,
      `from=${new Date(T0 + 60_000).toISOString()}&to=${new Date(T0).toISOString()}`,
      `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 5_000).toISOString()}`,
      'from=yesterday&to=today',
      'from=1700000000000&to=1700000600000',
      'from=2026-03-04T14:03&to=2026-03-04T15:03',
      'from=2026-13-45T99:99:99Z&to=2026-13-46T99:99:99Z',
    ])
      expect(parseLocation(`#/overview?range=5m&${window}`), window).toMatchObject({
        range: { kind: 'preset', preset: '5m' },
        resetTo: null,
      })
    // "reset" only means something beside a fixed window.
    expect(parseLocation('#/overview?range=5m&reset=1h')).toMatchObject({ resetTo: null })
    expect(parseLocation('#/rooms/lobby?sort=age&order=desc')).toEqual(
      rooms({ room: 'lobby', participants: { search: '', sort: null, descending: true } }),
    )
  })

  it('never throws on malformed encoding, and bounds what it takes', () => {
    expect(parseLocation('#/rooms/%E0%A4%A')).toEqual(rooms())
    expect(parseLocation(`#/rooms/${'x'.repeat(201)}`)).toEqual(rooms())
    expect(parseLocation('#/overview?q=%E0%A4%A')).toMatchObject({ view: 'overview' })
    const many = Array.from({ length: 50 }, (_, i) => `pin=room${i}`).join('&')
    const parsed = parseLocation(`#/overview?${many}&pin=${'y'.repeat(201)}&q=${'z'.repeat(500)}`)
    expect(parsed).toMatchObject({ view: 'overview' })
    if (parsed.view !== 'overview') throw new Error('unreachable')
    expect(parsed.pins).toHaveLength(CHART_ROOM_LIMIT)
    expect(parsed.pins[0]).toBe('room0')
    expect(parsed.rooms.search).toHaveLength(200)
  })

  it("writes the Export view's form, and only what differs from its defaults", () => {
    expect(serializeLocation(exportView())).toBe('#/export')
    expect(
      serializeLocation(
        exportView({ layout: 'wide', allRooms: false, rooms: ['lobby', 'hall 2'], from: T0, includeEmptied: false }),
      ),
    ).toBe('#/export?layout=wide&rooms=chosen&room=lobby&room=hall+2&emptied=hide&from=2026-03-04T14%3A03%3A07.250Z')
    // Rooms chosen earlier are kept while "All rooms" is on, but the link doesn't carry them.
    expect(serializeLocation(exportView({ rooms: ['lobby'] }))).toBe('#/export')
  })

  it('opens the default export form for values it cannot read, keeping the rest', () => {
    expect(
      parseLocation('#/export?what=everything&resolution=2s&layout=tall&rooms=some&emptied=maybe&deliver='),
    ).toEqual(exportView())
    expect(parseLocation('#/export?what=sessions&from=yesterday&to=now&q=lobby')).toEqual(
      exportView({ kind: 'sessions', roomSearch: 'lobby' }),
    )
    // A range backwards or empty is no range: both ends go back to their defaults.
    const at = (ms: number) => encodeURIComponent(new Date(ms).toISOString())
    expect(parseLocation(`#/export?from=${at(T0)}&to=${at(T0 - 1000)}`)).toEqual(exportView())
    expect(parseLocation(`#/export?from=${at(T0)}&to=${at(T0)}`)).toEqual(exportView())
    // One end alone is fine: from a time until now, or up to a time from an hour before.
    expect(parseLocation(`#/export?to=${at(T0)}`)).toEqual(exportView({ to: T0 }))
    // A column per room needs a fixed interval, as the form insists.
    expect(parseLocation('#/export?layout=wide&resolution=raw')).toEqual(exportView({ layout: 'wide' }))
    // Rooms named without "rooms=chosen" still mean chosen rooms; empty, too long and repeated names are dropped.
    expect(parseLocation(`#/export?room=lobby&room=&room=lobby&room=${'x'.repeat(201)}&room=hall`)).toEqual(
      exportView({ allRooms: false, rooms: ['lobby', 'hall'] }),
    )
    expect(parseLocation('#/export?rooms=chosen')).toEqual(exportView({ allRooms: false }))
    expect(parseLocation('#/export?room=%E0%A4%A&q=%E0%A4%A')).toMatchObject({ view: 'export' })
  })

  it("keeps the first chosen rooms that fit a link's budget, writing and reading alike", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => `room-${String(i).padStart(5, '0')}`)
    const kept = exportRoomsInLink(many)
    expect(kept.length).toBeGreaterThan(50)
    expect(kept.length).toBeLessThan(many.length)
    expect(kept).toEqual(many.slice(0, kept.length))
    const hash = serializeLocation(exportView({ allRooms: false, rooms: many }))
    expect(hash.length).toBeLessThan(EXPORT_LINK_ROOM_CHARS + 100)
    expect(parseLocation(hash)).toEqual(exportView({ allRooms: false, rooms: kept }))
    // A hand-made link naming thousands of rooms is read to the same budget.
    const handMade = `#/export?${many.map((room) => `room=${room}`).join('&')}`
    expect(parseLocation(handMade)).toEqual(exportView({ allRooms: false, rooms: kept }))
    // Names that need escaping take their escaped length.
    const wide = Array.from({ length: 100 }, (_, i) => `✓✓✓✓✓✓✓✓✓✓ ${i}`)
    const keptWide = exportRoomsInLink(wide)
    expect(new URLSearchParams(keptWide.map((room) => ['room', room])).toString().length).toBeLessThanOrEqual(
      EXPORT_LINK_ROOM_CHARS,
    )
    expect(keptWide.length).toBeLessThan(wide.length)
  })
})
