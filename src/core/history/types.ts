import type { GapCause, InstantKind } from '../../shared/history.ts'
import type { NamingConvention } from '../../shared/naming.ts'
import type { SyncMode } from '../../shared/sync.ts'
import type { JoinedMembers, Member, RoomSummary } from '../presence/types.ts'

// The series types cross the contract, so they are the contract's (src/shared/history.ts).

/** One sync's outcome as the history keeps it (the presence ingest's result, less what it can recompute). */
export interface HistoryTick {
  /** ms since epoch of the snapshot. */
  at: number
  /** Every room with at least one member; rooms left out that had members before are now empty. */
  rooms: RoomSummary[]
  /**
   * Who joined: a list, or (a first sync of a million) the presence state's JoinedMembers, read one at
   * a time while the tick is written. Either gives the same sessions.
   */
  joins: readonly Member[] | JoinedMembers
  leaves: readonly Member[]
  total: number
  channels: number
  unmatched: number
  /**
   * A fresh reading (the first sync of a new presence state, after a start or a restart): `joins`
   * lists everyone present and `leaves` is empty. The history then continues the open sessions of
   * those still present and ends the rest, rather than taking everyone as joining.
   */
  baseline?: boolean
}

/** A span with no data (a failed poll, or Headcount not running): charts show `null`, never 0. */
export interface HistoryGap {
  /** Inclusive start, ms. */
  from: number
  /** Exclusive end, ms. */
  to: number
  /** Words: what happened. Read back, it is the whole sentence (the cause's title and these words). */
  reason: string
  /** Why; a gap recorded without one is a failed sync. */
  cause?: GapCause
}

/** How a session's start or end is known, when it was not seen as it happened (see schema.ts). */
export type JoinNote = 'resumed' | 'convention'
export type LeaveNote = 'gap' | 'convention'

/** How Headcount reads the app, kept so that a change of it is an event in the history. */
export interface HistorySetup {
  convention: NamingConvention
  syncMode: SyncMode
  broadcasting: boolean
}

/** Something that changed how the history was recorded, at an instant. */
export interface HistoryEvent {
  at: number
  kind: InstantKind
  label: string
  detail: string
}

export interface RetentionPolicy {
  /** Raw samples, ticks and closed sessions are kept this many days. */
  rawRetentionDays: number
  /** 1-minute roll-ups and gaps are kept this many days. */
  rollupRetentionDays: number
}

export interface Session {
  id: number
  room: string
  user: string
  group: string | null
  joined: number
  /** `null` while the member is present. */
  left: number | null
  /** `null` when the join was seen as it happened; otherwise `joined` is when they were first seen. */
  joinNote: JoinNote | null
  /** `null` when the leave was seen as it happened (or while present); see LeaveNote. */
  leaveNote: LeaveNote | null
}

export interface SessionsQuery {
  room?: string
  user?: string
  /** Sessions that were open at some time in [from, to). */
  from?: number
  to?: number
  offset?: number
  limit?: number
}

export interface SessionsPage {
  /** Most recent joins first. */
  sessions: Session[]
  /** Whether more match beyond this page. */
  more: boolean
}

export interface KnownRoom {
  room: string
  /** Count at the latest tick. */
  count: number
  groups: Record<string, number>
  /** When the count last changed (ms), `null` if never recorded. */
  changedAt: number | null
}

export interface HistoryError {
  at: number
  kind: string
  message: string
}

export interface RetentionReport {
  /** Raw data older than this (ms) now lives in roll-ups only. */
  rawFloor: number
  /** Nothing older than this (ms) is kept. */
  rollupFloor: number
  rollupRows: number
  deletedSamples: number
  deletedSessions: number
}
