import type { SliceCreator } from './types.ts'

export const VIEWS = ['overview', 'rooms', 'connections', 'broadcast', 'export', 'alerts', 'settings'] as const
export type View = (typeof VIEWS)[number]

export type RoomSortKey = 'room' | 'count'
export interface RoomsQuery {
  search: string
  sort: RoomSortKey
  descending: boolean
}

export interface UiSlice {
  view: View
  /** The room the Rooms view shows; null picks the busiest. */
  selectedRoom: string | null
  roomsQuery: RoomsQuery
  /** The last failed call, in words, until dismissed. */
  error: string | null
  navigate(view: View): void
  openRoom(room: string): void
  setRoomsQuery(patch: Partial<RoomsQuery>): void
  reportError(message: string): void
  dismissError(): void
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  view: 'overview',
  selectedRoom: null,
  roomsQuery: { search: '', sort: 'count', descending: true },
  error: null,
  navigate: (view) => set({ view }),
  openRoom: (room) => set({ selectedRoom: room, view: 'rooms' }),
  setRoomsQuery: (patch) => set((state) => ({ roomsQuery: { ...state.roomsQuery, ...patch } })),
  reportError: (message) => set({ error: message }),
  dismissError: () => set({ error: null }),
})
