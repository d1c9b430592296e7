import type { ParticipantSort } from '../../shared/presence.ts'
/** A participant: one (room, user), however many channels (devices) stand for it. */
export interface Member {
  room: string
  group: string | null
  user: string
}

export interface RoomSummary {
  room: string
  /** Distinct users present. */
  count: number
  /** Users present per group (users without a group are counted in `count` only). */
  groups: Record<string, number>
}

export interface IngestResult {
  /** ms epoch of the snapshot. */
  at: number
  /** Distinct channels in the response. */
  channels: number
  /** Channels that did not parse as participants (e.g. the broadcast channel private-roomA). */
  unmatched: number
  /** Present now, absent before. */
  joins: Member[]
  /** Present before, absent now. */
  leaves: Member[]
  /** Every room with at least one member, after applying (busiest first). */
  rooms: RoomSummary[]
  /** Distinct participants (room, user) present. */
  total: number
  /** How many joined / left (always set by PresenceState; equal to the list lengths unless `listChanges: false`). */
  joinCount?: number
  leaveCount?: number
  /**
   * With `listChanges: false` or `lazyJoins`, a snapshot's joins read one Member at a time, made as they are read (set by
   * PresenceState's snapshots). Read it soon: a member who has since been forgotten, or made present
   * again by a later snapshot, is skipped.
   */
  joinedMembers?: JoinedMembers
}

/**
 * Members a snapshot made present, without a list of them held in memory: each is made a Member as it
 * is read, in the order a listed `joins` would have them.
 */
export interface JoinedMembers extends Iterable<Member> {
  /** How many there were when the snapshot was applied. */
  readonly count: number
  /** The last `n` of them, in order (what a feed of recent joins shows). */
  last(n: number): Member[]
  /** Whether this member (group null for none) is one of them. */
  has(room: string, group: string | null, user: string): boolean
  /**
   * All of them ordered by room, user, then group (as strings compare): the order of the history's
   * open-sessions index. Sorted a few thousand at a time, letting the event loop go between; read lazily.
   */
  sorted(): Promise<Iterable<Member>>
}

export interface IngestOptions {
  /**
   * List each join and leave as a Member (default true). With false, `joins` and `leaves` are empty,
   * `joinCount` / `leaveCount` say how many, and `joinedMembers` reads the joins lazily: a first snapshot
   * of a million people then creates no million objects at once, whose garbage collection would pause
   * the event loop for longer than its slices.
   */
  listChanges?: boolean
  /**
   * Read the joins through `joinedMembers` instead of listing them in `joins` (leaves are still listed
   * unless `listChanges` is false): what the engine asks for, since a first sync joins everyone.
   */
  lazyJoins?: boolean
}

/** One `channel_occupied` / `channel_vacated` (other names are ignored) from a webhook batch. */
export interface PresenceWebhookEvent {
  name: string
  channel: string
  time_ms: number
}

/**
 * What a webhook batch changed. An IngestResult (so sync code can treat both sources alike) whose
 * `channels` and `unmatched` are the channels present after applying (there is no response to count),
 * plus what became of the events.
 */
export interface WebhookResult extends IngestResult {
  /** Latest `time_ms` among the events (0 when there were none). */
  at: number
  /** Events given. */
  events: number
  /** channel_occupied / channel_vacated events that changed the state. */
  applied: number
  /** Events that changed nothing: repeats (occupied while present, vacated while absent), other event names. */
  ignored: number
  /** Events older than what the state already knows about that channel (out-of-order delivery); changed nothing. */
  stale: number
  /** Events about channels that are not participants (counted whether applied or not). */
  unmatchedEvents: number
}

export interface MembersQuery {
  /** Case-insensitive substring of the user id. */
  search?: string
  /** Only members of this group. */
  group?: string
  offset: number
  limit: number
  /** Sorted by this column (ties by user), in this order; without it, in order of first appearance. */
  sort?: ParticipantSort
  order?: 'asc' | 'desc'
}

export interface MemberRow {
  user: string
  group: string | null
  /** When the member joined in this state (snapshot `at` or webhook `time_ms`). */
  since: number
}

export interface MembersPage {
  /** Members matching the query (before paging). */
  total: number
  members: MemberRow[]
}
