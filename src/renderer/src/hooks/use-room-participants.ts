import { useCallback, useEffect, useRef, useState } from 'react'
import type { ParticipantSort, PresenceEvent, RoomDetail, RoomSummaryView } from '../../../shared/presence.ts'
import { useAppStore } from '../store/context.tsx'

export const PARTICIPANT_PAGE = 200
type Participant = RoomDetail['participants'][number]

export interface RoomParticipants {
  matching: number | null
  /**
   * The room as the engine saw it when it answered (null: empty, or not asked yet): the count to show
   * beside the list, since both come from the same moment.
   */
  summary: RoomSummaryView | null
  participantAt(index: number): Participant | undefined
  recent: PresenceEvent[]
  /** Since when `recent` holds every join and leave the engine saw (null: not known). */
  recentSince: number | null
  error: string | null
  /** Asks for the pages covering rows [first, last]; already loaded pages are kept. */
  ensureRows(first: number, last: number): void
}

interface Loaded {
  /** The room and search these pages answer; anything else reads as not loaded yet. */
  key: string
  pages: Map<number, Participant[]>
  matching: number | null
  summary: RoomSummaryView | null
  recent: PresenceEvent[]
  recentSince: number | null
  error: string | null
}

const NOTHING: Omit<Loaded, 'key'> = {
  pages: new Map(),
  matching: null,
  summary: null,
  recent: [],
  recentSince: null,
  error: null,
}

/**
 * A room's participants, fetched page by page as the list scrolls, searched on the engine, and
 * refreshed (the pages in view) shortly after the room's count changes.
 */
export function useRoomParticipants(
  room: string | null,
  search: string,
  version: string,
  order: { sort: ParticipantSort | null; descending: boolean } = { sort: null, descending: false },
): RoomParticipants {
  const fetchDetail = useAppStore((state) => state.fetchRoomDetail)
  const { sort, descending } = order
  const key = `${room ?? ''}\n${search}\n${sort ?? ''}\n${descending}`
  const [loaded, setLoaded] = useState<Loaded>({ key: '', ...NOTHING })
  const current = loaded.key === key ? loaded : { key, ...NOTHING }
  const inFlight = useRef(new Set<string>())
  const visible = useRef<[number, number]>([0, 0])

  const loadPage = useCallback(
    async (page: number) => {
      const flight = `${key}\n${page}`
      if (!room || inFlight.current.has(flight)) return
      inFlight.current.add(flight)
      const outcome = await fetchDetail({
        room,
        search: search || undefined,
        offset: page * PARTICIPANT_PAGE,
        limit: PARTICIPANT_PAGE,
        sort: sort ?? undefined,
        order: descending ? 'desc' : 'asc',
      })
      inFlight.current.delete(flight)
      setLoaded((before) => {
        // A reply for a room or search no longer shown is dropped.
        const base = before.key === key ? before : { key, ...NOTHING }
        if (!outcome.ok) return { ...base, error: outcome.error.message }
        return {
          key,
          pages: new Map(base.pages).set(page, outcome.value.participants),
          matching: outcome.value.matching,
          summary: outcome.value.summary,
          recent: outcome.value.recent,
          recentSince: outcome.value.recentSince ?? null,
          error: null,
        }
      })
    },
    [key, room, search, sort, descending, fetchDetail],
  )

  // A new room or search starts with its first page.
  useEffect(() => {
    void loadPage(0)
  }, [loadPage])

  // The room changed: refresh the pages in view, once things settle.
  const seenVersion = useRef(version)
  useEffect(() => {
    if (version === seenVersion.current) return
    seenVersion.current = version
    const timer = setTimeout(() => {
      const [first, last] = visible.current
      for (let page = Math.floor(first / PARTICIPANT_PAGE); page <= Math.floor(last / PARTICIPANT_PAGE); page++)
        void loadPage(page)
    }, 1000)
    return () => clearTimeout(timer)
  }, [version, loadPage])

  const pages = current.pages
  const ensureRows = useCallback(
    (first: number, last: number) => {
      visible.current = [first, last]
      for (let page = Math.floor(first / PARTICIPANT_PAGE); page <= Math.floor(last / PARTICIPANT_PAGE); page++) {
        if (!pages.has(page)) void loadPage(page)
      }
    },
    [pages, loadPage],
  )

  return {
    matching: current.matching,
    summary: current.summary,
    participantAt: (index) => pages.get(Math.floor(index / PARTICIPANT_PAGE))?.[index % PARTICIPANT_PAGE],
    recent: current.recent,
    recentSince: current.recentSince,
    error: current.error,
    ensureRows,
  }
}
