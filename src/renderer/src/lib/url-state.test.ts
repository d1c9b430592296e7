import { describe, expect, it } from 'vitest'
import { CHART_ROOM_LIMIT, DEFAULT_PARTICIPANTS_QUERY, DEFAULT_ROOMS_QUERY } from '../store/slices/ui-slice.ts'
import { DEFAULT_RANGE } from '../store/slices/history-slice.ts'
import { parseLocation, serializeLocation, type ViewLocation } from './url-state.ts'

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
      { view: 'export' },
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
})
