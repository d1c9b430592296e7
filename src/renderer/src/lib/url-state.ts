import {
  CHART_ROOM_LIMIT,
  CHART_SCALES,
  DEFAULT_PARTICIPANTS_QUERY,
  DEFAULT_EXPORT_FORM,
  DEFAULT_ROOMS_QUERY,
  EXPORT_KINDS,
  EXPORT_LAYOUTS,
  EXPORT_RESOLUTIONS,
  PARTICIPANT_SORTS,
  type ExportForm,
  VIEWS,
  type ChartScale,
  type ParticipantsQuery,
  type RoomsQuery,
  type View,
} from '../store/slices/ui-slice.ts'
import { DEFAULT_RANGE } from '../store/slices/history-slice.ts'
import { MIN_SPAN_MS, PRESETS, type Preset, type TimeRange } from './time-range.ts'

/**
 * Where the console is, as a URL's hash: `#/<view>[/<room>]?<parameters>`. Hash routing works the
 * same in the desktop app (a file:// page) and in web mode, and never reaches the server. Only the
 * shown view's parameters are written; reading a hash gives every parameter of its view, with the
 * default for any missing or unreadable one, so a hand-edited or truncated link still opens something
 * sensible and never throws.
 */
export type ViewLocation =
  | ({ view: 'overview' } & OverviewParams)
  | ({ view: 'rooms' } & RoomParams)
  | { view: 'export'; form: ExportForm }
  | { view: Exclude<View, 'overview' | 'rooms' | 'export'> }

export interface ChartRange {
  range: TimeRange
  /** Where Reset goes: the range a zoom started from. */
  resetTo: TimeRange | null
}

export interface OverviewParams extends ChartRange {
  /** Rooms chosen for the chart; none: the busiest. */
  pins: string[]
  /** Series hidden from the chart by its legend. */
  hidden: string[]
  scale: ChartScale
  rooms: RoomsQuery
}

export interface RoomParams extends ChartRange {
  /** null: the busiest room. */
  room: string | null
  participants: ParticipantsQuery
}

/** Names and searches longer than the engine accepts are not a room anyone can open. */
const MAX_TEXT = 200

/**
 * How many characters of encoded room names an export's link carries. Thousands of chosen rooms would
 * make an address no one can paste or share, so a link keeps the first rooms that fit (the form says
 * so); the export itself takes every room chosen.
 */
export const EXPORT_LINK_ROOM_CHARS = 2_000

/** The chosen rooms an export's link carries: the first ones whose `room=` parameters fit the budget. */
export function exportRoomsInLink(rooms: readonly string[]): string[] {
  const kept: string[] = []
  let used = 0
  for (const room of rooms) {
    used += new URLSearchParams({ room }).toString().length + 1
    if (used > EXPORT_LINK_ROOM_CHARS) break
    kept.push(room)
  }
  return kept
}

export function serializeLocation(location: ViewLocation): string {
  const params = new URLSearchParams()
  let path = `#/${location.view}`
  if (location.view === 'overview' || location.view === 'rooms') {
    writeRange(params, location.range, location.resetTo)
  }
  if (location.view === 'overview') {
    for (const room of location.pins) params.append('pin', room)
    for (const key of location.hidden) params.append('hide', key)
    if (location.scale !== 'linear') params.set('scale', location.scale)
    writeQuery(params, location.rooms, DEFAULT_ROOMS_QUERY)
  } else if (location.view === 'rooms') {
    if (location.room !== null) path += `/${encodeURIComponent(location.room)}`
    writeQuery(params, location.participants, DEFAULT_PARTICIPANTS_QUERY)
  } else if (location.view === 'export') {
    writeExportForm(params, location.form)
  }
  const query = params.toString()
  return query ? `${path}?${query}` : path
}

export function parseLocation(hash: string): ViewLocation {
  const text = hash.startsWith('#') ? hash.slice(1) : hash
  const queryAt = text.indexOf('?')
  const path = (queryAt < 0 ? text : text.slice(0, queryAt)).replace(/^\/+/, '')
  const params = new URLSearchParams(queryAt < 0 ? '' : text.slice(queryAt + 1))
  const slash = path.indexOf('/')
  const viewName = slash < 0 ? path : path.slice(0, slash)
  const view: View = (VIEWS as readonly string[]).includes(viewName) ? (viewName as View) : 'overview'
  const { range, resetTo } = readRange(params)

  if (view === 'overview') {
    const sort = params.get('sort')
    return {
      view,
      range,
      resetTo,
      pins: readNames(params.getAll('pin'), CHART_ROOM_LIMIT),
      hidden: readNames(params.getAll('hide'), CHART_ROOM_LIMIT + 1),
      scale: pick(params.get('scale'), CHART_SCALES) ?? 'linear',
      rooms: {
        search: readText(params.get('q')),
        sort: sort === 'room' || sort === 'count' ? sort : DEFAULT_ROOMS_QUERY.sort,
        descending: readOrder(params.get('order'), sort === 'room' ? false : DEFAULT_ROOMS_QUERY.descending),
      },
    }
  }
  if (view === 'rooms') {
    return {
      view,
      range,
      resetTo,
      room: slash < 0 ? null : readRoom(path.slice(slash + 1)),
      participants: {
        search: readText(params.get('q')),
        sort: pick(params.get('sort'), PARTICIPANT_SORTS),
        descending: readOrder(params.get('order'), false),
      },
    }
  }
  if (view === 'export') return { view, form: readExportForm(params) }
  return { view }
}

function writeExportForm(params: URLSearchParams, form: ExportForm): void {
  const defaults = DEFAULT_EXPORT_FORM
  if (form.kind !== defaults.kind) params.set('what', form.kind)
  if (form.resolution !== defaults.resolution) params.set('resolution', form.resolution)
  if (form.layout !== defaults.layout) params.set('layout', form.layout)
  if (!form.allRooms) {
    params.set('rooms', 'chosen')
    for (const room of exportRoomsInLink(form.rooms)) params.append('room', room)
  }
  if (form.roomSearch) params.set('q', form.roomSearch)
  if (!form.includeEmptied) params.set('emptied', 'hide')
  if (form.from !== null) params.set('from', new Date(form.from).toISOString())
  if (form.to !== null) params.set('to', new Date(form.to).toISOString())
  if (!form.deliver) params.set('deliver', 'no')
}

/** The export form a link describes; anything unreadable keeps its default, and no pair contradicts. */
function readExportForm(params: URLSearchParams): ExportForm {
  const defaults = DEFAULT_EXPORT_FORM
  const layout = pick(params.get('layout'), EXPORT_LAYOUTS) ?? defaults.layout
  let resolution = pick(params.get('resolution'), EXPORT_RESOLUTIONS) ?? defaults.resolution
  // A column per room needs a fixed interval, as the form itself insists.
  if (layout === 'wide' && resolution === 'raw') resolution = defaults.resolution
  let from = readTime(params.get('from'))
  let to = readTime(params.get('to'))
  if (from !== null && to !== null && from >= to) [from, to] = [defaults.from, defaults.to]
  // Each room takes at least "room=x&": no more than that many names can fit the budget.
  const rooms = exportRoomsInLink(
    readNames(params.getAll('room'), Math.floor(EXPORT_LINK_ROOM_CHARS / 'room=x&'.length)),
  )
  return {
    kind: pick(params.get('what'), EXPORT_KINDS) ?? defaults.kind,
    resolution,
    layout,
    allRooms: params.get('rooms') !== 'chosen' && rooms.length === 0,
    rooms,
    roomSearch: readText(params.get('q')),
    includeEmptied: params.get('emptied') !== 'hide',
    from,
    to,
    deliver: params.get('deliver') !== 'no',
  }
}

function writeRange(params: URLSearchParams, range: TimeRange, resetTo: TimeRange | null): void {
  if (range.kind === 'preset') params.set('range', range.preset)
  else {
    params.set('from', new Date(range.from).toISOString())
    params.set('to', new Date(range.to).toISOString())
  }
  // Only a live range is worth coming back to by name; a fixed one is in the history already.
  if (resetTo?.kind === 'preset') params.set('reset', resetTo.preset)
}

function readRange(params: URLSearchParams): ChartRange {
  const preset = pick(params.get('range'), PRESETS)
  const from = readTime(params.get('from'))
  const to = readTime(params.get('to'))
  const resetPreset = pick(params.get('reset'), PRESETS)
  let range: TimeRange = DEFAULT_RANGE
  if (from !== null && to !== null && to - from >= MIN_SPAN_MS) range = { kind: 'fixed', from, to }
  else if (preset) range = { kind: 'preset', preset: preset as Preset }
  const resetTo: TimeRange | null =
    range.kind === 'fixed' && resetPreset ? { kind: 'preset', preset: resetPreset as Preset } : null
  return { range, resetTo }
}

function writeQuery(
  params: URLSearchParams,
  query: { search: string; sort: string | null; descending: boolean },
  defaults: { sort: string | null; descending: boolean },
): void {
  if (query.search) params.set('q', query.search)
  if (query.sort !== defaults.sort || query.descending !== defaults.descending) {
    if (query.sort !== null) params.set('sort', query.sort)
    params.set('order', query.descending ? 'desc' : 'asc')
  }
}

/** ISO 8601 with a zone ("…Z" or "+02:00"), as this module writes it; anything else is not a time. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/

function readTime(value: string | null): number | null {
  if (value === null || !ISO_TIME.test(value)) return null
  const ms = Date.parse(value)
  return Number.isFinite(ms) && ms >= 0 ? ms : null
}

function readOrder(value: string | null, fallback: boolean): boolean {
  return value === 'desc' ? true : value === 'asc' ? false : fallback
}

function readText(value: string | null): string {
  return value === null ? '' : value.slice(0, MAX_TEXT)
}

function readRoom(encoded: string): string | null {
  try {
    const room = decodeURIComponent(encoded)
    return room.length > 0 && room.length <= MAX_TEXT ? room : null
  } catch {
    return null
  }
}

/** Distinct, non-empty names within the engine's length, at most `limit`, in their order. */
function readNames(values: string[], limit: number): string[] {
  const names: string[] = []
  for (const value of values) {
    if (value.length === 0 || value.length > MAX_TEXT || names.includes(value)) continue
    names.push(value)
    if (names.length === limit) break
  }
  return names
}

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null
}
