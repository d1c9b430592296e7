import { z } from 'zod'

/** A room's current occupancy: participants in total and per subgroup. */
export const RoomSummarySchema = z.object({
  room: z.string(),
  count: z.int().nonnegative(),
  groups: z.record(z.string(), z.int().nonnegative()),
})
export type RoomSummaryView = z.infer<typeof RoomSummarySchema>

export const PresenceEventSchema = z.object({
  type: z.enum(['join', 'leave']),
  room: z.string(),
  user: z.string(),
  group: z.string().nullable(),
  at: z.number(),
})
export type PresenceEvent = z.infer<typeof PresenceEventSchema>

/**
 * One batched update per sync (a poll, or a second's worth of webhooks): what changed, so a UI with
 * 10,000 rooms patches its copy instead of reloading everything.
 */
export const TickSchema = z.object({
  at: z.number(),
  /**
   * The reading this tick belongs to: one per connection of the engine (connecting again, switching
   * apps or restarting the engine begins another), never reused.
   */
  stream: z.string().min(1).max(100),
  /**
   * The tick's place in its reading, from 1. Each tick's changes are counted from the one before it
   * in the same reading, and the first lists every room, so a UI can tell whether a tick follows what
   * it holds, is already in it, or skips one it never got.
   */
  seq: z.int().positive(),
  source: z.enum(['poll', 'webhook', 'reconcile']),
  total: z.int(),
  roomCount: z.int(),
  channels: z.int(),
  unmatched: z.int(),
  /** Joins and leaves seen as they happened (0 for a baseline tick). */
  joins: z.int(),
  leaves: z.int(),
  /**
   * A new starting point rather than changes seen as they happened: the first sync after connecting
   * (or restarting the sync), which reads everyone present, or the first after failed syncs, which
   * brings what changed during the gap. Its joins, leaves and recent events are left out (0 and
   * empty), and rates count from it.
   */
  baseline: z.boolean(),
  drift: z.int(),
  /** Rooms whose summary changed, with their new summary. */
  changed: z.array(RoomSummarySchema),
  /** Rooms that emptied. */
  removed: z.array(z.string()),
  /** The latest joins and leaves (at most 100), newest last. */
  recent: z.array(PresenceEventSchema),
})
export type Tick = z.infer<typeof TickSchema>

/** Joins and leaves per minute are counted over this much of the latest ticks. */
export const RATE_WINDOW_MS = 60_000

/** The joins and leaves one tick saw as they happened (a baseline's count as none). */
export const TickCountsSchema = z.object({
  at: z.number(),
  joins: z.int().nonnegative(),
  leaves: z.int().nonnegative(),
})
export type TickCounts = z.infer<typeof TickCountsSchema>

export const RoomsSnapshotSchema = z.object({
  at: z.number().nullable(),
  /** The reading and tick the rooms reflect (see Tick); null and 0 before the first sync. */
  stream: z.string().min(1).max(100).nullable(),
  seq: z.int().nonnegative(),
  total: z.int(),
  channels: z.int(),
  unmatched: z.int(),
  rooms: z.array(RoomSummarySchema),
  /**
   * The counts of the ticks of the last minute, and since when this reading has been counting (its
   * first sync), so a page loaded now shows joins and leaves per minute at once. Absent before the
   * first sync.
   */
  rates: z.object({ since: z.number(), ticks: z.array(TickCountsSchema).max(100_000) }).optional(),
})
export type RoomsSnapshot = z.infer<typeof RoomsSnapshotSchema>

/** Participant columns a room's detail can be sorted by. */
export const PARTICIPANT_SORTS = ['user', 'group', 'joined', 'present'] as const
export type ParticipantSort = (typeof PARTICIPANT_SORTS)[number]

export const RoomDetailInputSchema = z.object({
  room: z.string().min(1).max(200),
  search: z.string().max(200).optional(),
  group: z.string().max(200).optional(),
  offset: z.int().min(0).default(0),
  limit: z.int().min(1).max(1000).default(100),
  /**
   * The participants' order, by the engine so a room of a million pages in order: by user (natural:
   * user2 before user10), group, joined (when they arrived) or present (for how long); ties by user.
   * Without it, the order they arrived in.
   */
  sort: z.enum(PARTICIPANT_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
})
export type RoomDetailInput = z.input<typeof RoomDetailInputSchema>

export const RoomDetailSchema = z.object({
  room: z.string(),
  summary: RoomSummarySchema.nullable(),
  /** Participants matching the search, this page of them, and how many match in all. */
  matching: z.int(),
  participants: z.array(
    z.object({
      user: z.string(),
      group: z.string().nullable(),
      /** When their session began. */
      since: z.number(),
      /** False when `since` is only when they were first seen (after a gap, or when recording began). */
      sinceExact: z.boolean(),
    }),
  ),
  recent: z.array(PresenceEventSchema),
  /**
   * Since when `recent` holds every join and leave seen (the engine's first sync, or the oldest it still
   * keeps), so a feed names the time it covers; null before the first sync. Optional: a server of an
   * earlier version doesn't say.
   */
  recentSince: z.number().nullable().optional(),
})
export type RoomDetail = z.infer<typeof RoomDetailSchema>
