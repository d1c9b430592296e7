import { z } from 'zod'
import { channelTemplateProblem } from './channel-names.ts'
import { MAX_CHANNEL_NAME_LENGTH, MAX_EVENT_NAME_LENGTH } from './pusher-limits.ts'

/**
 * The broadcaster (DESIGN §6): its per-profile settings, what it reports in the status, payload
 * previews and the friend-graph import. Pure: the UI validates forms with these schemas and the engine
 * checks every call against them.
 */

/**
 * Largest friend CSV accepted, in characters (UTF-16 units, as `string.length` counts them): 900 KB,
 * about 50,000 friendships of short ids. The one cap for the UI's check, the contract's schema and the
 * engine; web mode's frame limit (`MAX_FRAME_BYTES` in wire.ts) is sized from it so that any file
 * under it fits in one call, whatever its characters.
 */
export const MAX_FRIENDS_CSV_CHARS = 900 * 1024

/** Why a friend CSV of `length` characters is refused, in the same words wherever it is checked. */
export function friendsCsvTooLarge(length: number): string {
  return `The file has ${length.toLocaleString('en-US')} characters; at most ${MAX_FRIENDS_CSV_CHARS.toLocaleString('en-US')} (${MAX_FRIENDS_CSV_CHARS / 1024} KB) can be imported`
}
/** At most this many bad rows are listed; the count says how many there were. */
export const MAX_IMPORT_ERRORS = 100

/** Pusher's event-name rule (alphanumeric, `-`, `_`; `.` and `:` are common and accepted), not its own `pusher:` names. */
export const EventNameSchema = z
  .string()
  .min(1, 'Give an event name')
  .max(MAX_EVENT_NAME_LENGTH)
  .regex(/^[A-Za-z0-9_\-.:]+$/, 'Event names may contain only A-Z a-z 0-9 _ - . :')
  .refine((name) => !/^pusher(_internal)?:/.test(name), 'Event names starting with "pusher:" are reserved by Pusher')

const RoomChannelTemplateSchema = z
  .string()
  .min(1)
  .max(MAX_CHANNEL_NAME_LENGTH)
  .superRefine((template, ctx) => {
    const problem = channelTemplateProblem(template, ['room'], ['room'])
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })

const UserChannelTemplateSchema = z
  .string()
  .min(1)
  .max(MAX_CHANNEL_NAME_LENGTH)
  .superRefine((template, ctx) => {
    const problem = channelTemplateProblem(template, ['room', 'user', 'group'], ['room', 'user'])
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })

export const FriendRosterSettingsSchema = z.object({
  /** Opt-in: send each present user the list of their friends in the same room. */
  enabled: z.boolean().default(false),
  /** Event name of a roster. */
  eventName: EventNameSchema.default('friends'),
  /**
   * The user's own channel, with {room}, {user} and optionally {group}. Null: built from the profile's
   * naming-convention template (a regular-expression convention has no template, so it needs one here).
   */
  channelTemplate: UserChannelTemplateSchema.nullable().default(null),
})
export type FriendRosterSettings = z.infer<typeof FriendRosterSettingsSchema>

export const DEFAULT_FRIEND_ROSTER_SETTINGS: FriendRosterSettings = {
  enabled: false,
  eventName: 'friends',
  channelTemplate: null,
}

/** Per connection profile; every field has a default so profiles saved before the broadcaster still load. */
export const BroadcastSettingsSchema = z.object({
  /** The switch. Off by default; on for the connected profile starts broadcasting within one interval. */
  enabled: z.boolean().default(false),
  /** How often presence state is read and changed rooms are published, in ms (independent of the sync interval). */
  intervalMs: z.int().min(100).max(60_000).default(1000),
  /** Every room is republished at least this often, changed or not, so late joiners see a value (ms). */
  heartbeatMs: z.int().min(1000).max(3_600_000).default(10_000),
  /** The room's channel; {room} is replaced by the room id. `private-{room}` is a common choice. */
  channelTemplate: RoomChannelTemplateSchema.default('{room}'),
  /** Event name of a room summary. */
  eventName: EventNameSchema.default('occupancy'),
  /** Batch requests in flight at once. */
  concurrency: z.int().min(1).max(64).default(8),
  /** Broadcast even when another Headcount is already broadcasting to the same app (every message then doubles). */
  force: z.boolean().default(false),
  friends: FriendRosterSettingsSchema.default(DEFAULT_FRIEND_ROSTER_SETTINGS),
})
export type BroadcastSettings = z.infer<typeof BroadcastSettingsSchema>

export const DEFAULT_BROADCAST_SETTINGS: BroadcastSettings = {
  enabled: false,
  intervalMs: 1000,
  heartbeatMs: 10_000,
  channelTemplate: '{room}',
  eventName: 'occupancy',
  concurrency: 8,
  force: false,
  friends: DEFAULT_FRIEND_ROSTER_SETTINGS,
}

/** A change to some settings; fields left out keep their value (`friends` too, field by field). */
export const BroadcastSettingsPatchSchema = z
  .object({
    enabled: z.boolean(),
    intervalMs: BroadcastSettingsSchema.shape.intervalMs.unwrap(),
    heartbeatMs: BroadcastSettingsSchema.shape.heartbeatMs.unwrap(),
    channelTemplate: RoomChannelTemplateSchema,
    eventName: EventNameSchema,
    concurrency: BroadcastSettingsSchema.shape.concurrency.unwrap(),
    force: z.boolean(),
    friends: z
      .object({
        enabled: z.boolean(),
        eventName: EventNameSchema,
        channelTemplate: UserChannelTemplateSchema.nullable(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict()
export type BroadcastSettingsPatch = z.infer<typeof BroadcastSettingsPatchSchema>

export function applyBroadcastPatch(current: BroadcastSettings, patch: BroadcastSettingsPatch): BroadcastSettings {
  const { friends, ...rest } = patch
  return BroadcastSettingsSchema.parse({ ...current, ...rest, friends: { ...current.friends, ...friends } })
}

// ---- what goes over the wire ----------------------------------------------------------------------

/**
 * A room summary event's data. `groups` holds per-subgroup counts; when they don't fit in one 10 KB
 * event they are split over `parts` events (same `ts`, `part` 1…parts; merge the groups), and beyond
 * MAX_SUMMARY_PARTS the smallest groups are left out with `truncated: true`.
 */
export interface RoomSummaryPayload {
  room: string
  /** People in the room; rounded to `precision` significant figures when `approx` is set. */
  count: number
  /** Per-subgroup counts, rounded like `count` when `approx` is set. */
  groups: Record<string, number>
  /** When Headcount last saw this state (ms since epoch, the sync that produced it). */
  ts: number
  /**
   * Set when `count` (and `groups`) are rounded rather than exact, so clients can say so ("≈1.2M").
   * Absent: the counts are exact.
   */
  approx?: true
  /** With `approx`: the significant figures the counts were rounded to (1 or more). */
  precision?: number
  part?: number
  parts?: number
  truncated?: true
  /** Groups left out when truncated. */
  omittedGroups?: number
}

/** A friend roster event's data: the user's friends in the room now (sorted), paged to fit 10 KB (`page` 1…pages). */
export interface FriendRosterPayload {
  room: string
  user: string
  friends: string[]
  ts: number
  page: number
  pages: number
  /** Set when even MAX_PARTS pages could not hold every friend. */
  truncated?: true
}

export const OutgoingEventSchema = z.object({
  channel: z.string(),
  event: z.string(),
  /** The JSON string sent as the event's data, exactly. */
  data: z.string(),
  /** UTF-8 size of `data`. */
  bytes: z.int(),
})
export type OutgoingEvent = z.infer<typeof OutgoingEventSchema>

export const BroadcastPreviewSchema = z.object({
  room: z.string(),
  /** The summary event(s) the room would get now; empty when the channel name is invalid (see `problem`). */
  events: z.array(OutgoingEventSchema),
  /** Why nothing would be sent (invalid channel name, broadcaster settings), or null. */
  problem: z.string().nullable(),
})
export type BroadcastPreview = z.infer<typeof BroadcastPreviewSchema>

// ---- status ---------------------------------------------------------------------------------------

export const BroadcastStateSchema = z.enum(['off', 'starting', 'on', 'failing', 'blocked'])
export type BroadcastState = z.infer<typeof BroadcastStateSchema>

const CountsSchema = z.object({
  /** Messages today (UTC day), since Headcount connected. */
  today: z.number().nonnegative(),
  /** At the rate of the last minute, messages per day. */
  projectedPerDay: z.number().nonnegative(),
})

/**
 * The broadcaster's part of the status. Messages are counted as Pusher bills them: each event once per
 * recipient (a room summary reaches the room's participants, assuming each subscribes to the room
 * channel; a roster reaches one user), so they compare with what vanilla presence would deliver.
 */
export const BroadcastStatusSchema = z.object({
  enabled: z.boolean(),
  /**
   * off: switched off. starting: checking for another broadcaster, waiting for the first sync.
   * on: sending. failing: the last send failed (see lastError), retrying with backoff.
   * blocked: another Headcount broadcasts to this app (see otherBroadcaster); `force` overrides.
   */
  state: BroadcastStateSchema,
  intervalMs: z.int(),
  /** Estimated deliveries per second over the last minute. */
  messagesPerSecond: z.number().nonnegative(),
  messagesToday: z.number().nonnegative(),
  projectedPerDay: z.number().nonnegative(),
  /** Events published (what the HTTP API accepted) and requests made, today. */
  eventsToday: z.number().nonnegative(),
  requestsToday: z.number().nonnegative(),
  /** Requests per second and events per request over the last minute. */
  requestsPerSecond: z.number().nonnegative(),
  eventsPerRequest: z.number().nonnegative(),
  /**
   * What vanilla presence channels would have delivered for the same crowd and the same joins and leaves
   * since connecting: each join or leave to every other member of the room, plus the member list to each
   * joiner. Counted whether or not the broadcaster is on.
   */
  vanillaPresence: CountsSchema,
  /** Rooms currently published, and when the last tick finished (ms epoch). */
  rooms: z.int().nonnegative(),
  lastTickAt: z.number().nullable(),
  /** Duration and CPU time of the last tick, ms. */
  lastTickMs: z.number().nullable(),
  lastTickCpuMs: z.number().nullable(),
  lastError: z
    .object({
      kind: z.string(),
      message: z.string(),
      hint: z.string(),
      status: z.number().nullable(),
      at: z.number(),
      attempts: z.int(),
    })
    .nullable(),
  /** Rooms (or users) whose channel name Pusher would refuse: nothing is sent to them. */
  invalidChannels: z.object({
    count: z.int(),
    examples: z.array(z.object({ channel: z.string(), reason: z.string() })),
  }),
  /** Summaries that had to be split or truncated to fit 10 KB, since connecting. */
  splitEvents: z.int(),
  truncatedEvents: z.int(),
  /** Another Headcount seen on the marker channel (see docs/broadcasting.md), or null. */
  otherBroadcaster: z.object({ detectedAt: z.number(), detail: z.string() }).nullable(),
  /** Whether this broadcaster holds the marker channel that tells other consoles it is broadcasting. */
  marker: z.enum(['off', 'connecting', 'held', 'unavailable']),
  friends: z.object({
    enabled: z.boolean(),
    /** Null when rosters can be sent; else why not (no graph imported, regex convention without a channel template). */
    unavailable: z.string().nullable(),
    rostersToday: z.int(),
  }),
})
export type BroadcastStatus = z.infer<typeof BroadcastStatusSchema>

// ---- friend graph ---------------------------------------------------------------------------------

export const FriendsImportInputSchema = z.object({
  id: z.string().min(1).max(64),
  /** CSV of `user,friend` rows, header optional, at most MAX_FRIENDS_CSV_CHARS characters. */
  csv: z.string().max(MAX_FRIENDS_CSV_CHARS, { error: (issue) => friendsCsvTooLarge((issue.input as string).length) }),
  /** True: each row is a friendship both ways. False: `user` follows `friend` only. */
  mutual: z.boolean(),
})

export const ImportErrorSchema = z.object({
  /** 1-based line of the CSV; null when the whole file is refused (for example too large). */
  line: z.int().min(1).nullable(),
  message: z.string(),
})
export type ImportError = z.infer<typeof ImportErrorSchema>

export const FriendsImportResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), users: z.int(), edges: z.int() }),
  z.object({
    ok: z.literal(false),
    /** The first MAX_IMPORT_ERRORS problems; nothing was imported. */
    errors: z.array(ImportErrorSchema),
    /** All the bad rows found. */
    errorCount: z.int(),
  }),
])
export type FriendsImportResult = z.infer<typeof FriendsImportResultSchema>

export const FriendsSummarySchema = z.object({
  /** Distinct users in the graph, and directed friendships (a mutual row counts twice). */
  users: z.int(),
  edges: z.int(),
  /** ISO time of the import, or null when none is saved. */
  importedAt: z.iso.datetime().nullable(),
  mutual: z.boolean().nullable(),
})
export type FriendsSummary = z.infer<typeof FriendsSummarySchema>

export const FriendsOfInputSchema = z.object({ room: z.string().min(1).max(200), user: z.string().min(1).max(200) })

export const FriendsOfSchema = z.object({
  room: z.string(),
  user: z.string(),
  /** The user's friends present in the room now, with their group. */
  friends: z.array(z.object({ user: z.string(), group: z.string().nullable() })),
  /** How many friends the user has in the graph, present or not. */
  total: z.int(),
})
export type FriendsOf = z.infer<typeof FriendsOfSchema>
