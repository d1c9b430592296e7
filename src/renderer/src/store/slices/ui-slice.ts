import type { ExportRequest } from '../../../../shared/history.ts'
import { PARTICIPANT_SORTS, type ParticipantSort } from '../../../../shared/presence.ts'
import type { SliceCreator } from './types.ts'

export const VIEWS = ['overview', 'rooms', 'connections', 'broadcast', 'export', 'alerts', 'settings'] as const
export type View = (typeof VIEWS)[number]

export type RoomSortKey = 'room' | 'count'
export interface RoomsQuery {
  search: string
  sort: RoomSortKey
  descending: boolean
}
export const DEFAULT_ROOMS_QUERY: RoomsQuery = { search: '', sort: 'count', descending: true }

/** Participant columns the engine sorts by; null keeps the order they arrived in. */
export { PARTICIPANT_SORTS }
export type ParticipantSortKey = ParticipantSort
export interface ParticipantsQuery {
  search: string
  sort: ParticipantSortKey | null
  descending: boolean
}
export const DEFAULT_PARTICIPANTS_QUERY: ParticipantsQuery = { search: '', sort: null, descending: false }

/** How the overview chart's vertical axis reads: counts, counts on a log scale, or shares of everyone. */
export const CHART_SCALES = ['linear', 'log', 'share'] as const
export type ChartScale = (typeof CHART_SCALES)[number]

/** Rooms the overview chart draws when none are chosen: the busiest. */
export const TOP_ROOMS = 5
/** At most this many chosen rooms share the chart, so each line stays one a person can follow. */
export const CHART_ROOM_LIMIT = 20

export const EXPORT_KINDS = ['occupancy', 'sessions'] as const satisfies readonly ExportRequest['kind'][]
export const EXPORT_RESOLUTIONS = ['raw', '10s', '1m', '1h'] as const satisfies readonly NonNullable<
  ExportRequest['resolution']
>[]
export const EXPORT_LAYOUTS = ['long', 'wide'] as const satisfies readonly NonNullable<ExportRequest['layout']>[]

/** What the Export view's form holds, kept in the store so the page's address can carry it. */
export interface ExportForm {
  kind: (typeof EXPORT_KINDS)[number]
  resolution: (typeof EXPORT_RESOLUTIONS)[number]
  layout: (typeof EXPORT_LAYOUTS)[number]
  /** Export every room (the chosen ones are kept meanwhile, for switching back). */
  allRooms: boolean
  /** The rooms chosen, in the order chosen. */
  rooms: string[]
  /** What the room chooser searches for. */
  roomSearch: string
  /** Whether the room chooser offers rooms that have emptied. */
  includeEmptied: boolean
  /** Start of the range (ms); null: an hour before the form was opened. */
  from: number | null
  /** End of the range (ms); null: until now. */
  to: number | null
  /** Hand the file over as soon as it is written. */
  deliver: boolean
}
export const DEFAULT_EXPORT_FORM: ExportForm = {
  kind: 'occupancy',
  resolution: '1m',
  layout: 'long',
  allRooms: true,
  rooms: [],
  roomSearch: '',
  includeEmptied: true,
  from: null,
  to: null,
  deliver: true,
}

export interface UiSlice {
  view: View
  /** The room the Rooms view shows; null picks the busiest. */
  selectedRoom: string | null
  roomsQuery: RoomsQuery
  participantsQuery: ParticipantsQuery
  /** Rooms chosen (pinned) for the overview chart, in the order chosen; none: the busiest. */
  chartRooms: string[]
  /** Series the legend has hidden from the overview chart (room names, or the total's series name). */
  hiddenSeries: string[]
  chartScale: ChartScale
  sidebarCollapsed: boolean
  exportForm: ExportForm
  /** The last failed call, in words, until dismissed. */
  error: string | null
  navigate(view: View): void
  openRoom(room: string): void
  setRoomsQuery(patch: Partial<RoomsQuery>): void
  setParticipantsQuery(patch: Partial<ParticipantsQuery>): void
  /** Pins a room to the chart or unpins it; false (nothing changes) when the chart is full. */
  toggleChartRoom(room: string): boolean
  /** Back to the busiest rooms. */
  clearChartRooms(): void
  toggleSeries(key: string): void
  setChartScale(scale: ChartScale): void
  setSidebarCollapsed(collapsed: boolean): void
  setExportForm(patch: Partial<ExportForm>): void
  reportError(message: string): void
  dismissError(): void
}

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  view: 'overview',
  selectedRoom: null,
  roomsQuery: DEFAULT_ROOMS_QUERY,
  participantsQuery: DEFAULT_PARTICIPANTS_QUERY,
  chartRooms: [],
  hiddenSeries: [],
  chartScale: 'linear',
  sidebarCollapsed: false,
  exportForm: DEFAULT_EXPORT_FORM,
  error: null,
  navigate: (view) => set({ view }),
  // Another room starts with its participants unsearched and unsorted.
  openRoom: (room) =>
    set((state) => ({
      selectedRoom: room,
      view: 'rooms',
      participantsQuery: room === state.selectedRoom ? state.participantsQuery : DEFAULT_PARTICIPANTS_QUERY,
    })),
  setRoomsQuery: (patch) => set((state) => ({ roomsQuery: { ...state.roomsQuery, ...patch } })),
  setParticipantsQuery: (patch) => set((state) => ({ participantsQuery: { ...state.participantsQuery, ...patch } })),
  toggleChartRoom(room) {
    const { chartRooms, hiddenSeries } = get()
    if (chartRooms.includes(room)) {
      set({ chartRooms: chartRooms.filter((name) => name !== room) })
      return true
    }
    if (chartRooms.length >= CHART_ROOM_LIMIT) return false
    // A room pinned again is shown, whatever its legend said before.
    set({ chartRooms: [...chartRooms, room], hiddenSeries: hiddenSeries.filter((key) => key !== room) })
    return true
  },
  clearChartRooms: () => set({ chartRooms: [] }),
  toggleSeries: (key) =>
    set((state) => ({
      hiddenSeries: state.hiddenSeries.includes(key)
        ? state.hiddenSeries.filter((hidden) => hidden !== key)
        : [...state.hiddenSeries, key],
    })),
  setChartScale: (chartScale) => set({ chartScale }),
  setSidebarCollapsed: (sidebarCollapsed) => set({ sidebarCollapsed }),
  setExportForm: (patch) => set((state) => ({ exportForm: { ...state.exportForm, ...patch } })),
  reportError: (message) => set({ error: message }),
  dismissError: () => set({ error: null }),
})
