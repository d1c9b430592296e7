import { z } from 'zod'
import { channelTemplateProblem, fillChannelTemplate } from './channel-names.ts'
import type { CompiledConvention } from './naming.ts'
import { MAX_CHANNEL_NAME_LENGTH, MAX_EVENT_NAME_LENGTH } from './pusher-limits.ts'
import { MAX_BUDGET, MIN_BUDGET, PLAN_IDS, planById } from './pusher-plans.ts'

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

export const PlanIdSchema = z.enum(PLAN_IDS)

/**
 * What the broadcaster may cause in a day, in messages as Pusher counts them (one per event published,
 * one per delivery), within Pusher's day (UTC). `plan` is a label: when given, the figure is that plan's.
 */
export const MessageBudgetSchema = z
  .object({
    messagesPerDay: z.int().min(MIN_BUDGET).max(MAX_BUDGET),
    plan: PlanIdSchema.nullable().default(null),
  })
  .refine((budget) => budget.plan === null || planById(budget.plan).messagesPerDay === budget.messagesPerDay, {
    message: 'The budget of a plan is that plan’s daily messages; give plan: null for another figure',
  })

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
  /**
   * Daily message budget, or null for none. With one, large rooms are rounded (adaptive precision) and
   * nothing is sent that the budget can't pay for; see docs/broadcasting.md.
   */
  budget: MessageBudgetSchema.nullable().default(null),
  /**
   * Ask the server for each room channel's subscriber count with every event (`info=subscription_count`):
   * exact accounting, at one more message per event on Pusher, which needs subscription counting enabled.
   * Off: a room's subscribers are estimated as its participants.
   */
  countSubscribers: z.boolean().default(false),
  /** The operator confirmed broadcasting to this app once (the console asks before the first time). */
  confirmed: z.boolean().default(false),
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
  budget: null,
  countSubscribers: false,
  confirmed: false,
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
    budget: MessageBudgetSchema.nullable(),
    countSubscribers: z.boolean(),
    confirmed: z.boolean(),
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

/** What participants of a room see now: the last summary the server accepted, as they read it. */
export const ShownSummarySchema = z.object({
  /** The count published (rounded when `precision` is set). */
  count: z.int().nonnegative(),
  /** Significant figures of a rounded count, or null when it was exact. */
  precision: z.int().positive().nullable(),
  /** The most the published count was off by from rounding alone, when published (0: exact). */
  roundingError: z.int().nonnegative(),
  /** When the server accepted it (ms epoch). */
  publishedAt: z.number(),
  /** The true count now, and how far the published one is from it. */
  countNow: z.int().nonnegative(),
  offBy: z.int().nonnegative(),
  /** The figures the room is published at now (null: exact). */
  precisionNow: z.int().positive().nullable(),
  /** Why the room's change is not out yet: waiting for the budget, or null. */
  waiting: z.string().nullable(),
})
export type ShownSummary = z.infer<typeof ShownSummarySchema>

export const BroadcastPreviewSchema = z.object({
  room: z.string(),
  /**
   * The summary event(s) the room got last (`source: 'sent'`), exactly as sent, or, before any was
   * sent, those it would get now (`'would-send'`); empty when the channel name is invalid (see `problem`).
   */
  events: z.array(OutgoingEventSchema),
  source: z.enum(['sent', 'would-send']),
  /** Why nothing would be sent (invalid channel name, broadcaster settings), or null. */
  problem: z.string().nullable(),
  /** What participants see now; null until a summary of the room was accepted. */
  shown: ShownSummarySchema.nullable(),
})
export type BroadcastPreview = z.infer<typeof BroadcastPreviewSchema>

// ---- status ---------------------------------------------------------------------------------------

export const BroadcastStateSchema = z.enum(['off', 'starting', 'on', 'failing', 'blocked'])
export type BroadcastState = z.infer<typeof BroadcastStateSchema>

/** Length of a spend bucket: 15 minutes, so "today" can be summed exactly in any time zone. */
export const SPEND_BUCKET_MS = 15 * 60_000

/**
 * What the broadcaster caused in one UTC quarter-hour starting at `start` (ms epoch), kept on disk per
 * connection, so neither a restart nor a switch of connection resets the day.
 */
export const SpendBucketSchema = z.object({
  start: z.number(),
  /** Requests made, and events published (accepted by the HTTP API). */
  requests: z.number().nonnegative(),
  events: z.number().nonnegative(),
  /** Deliveries of those events to subscribers, and of cached events to late joiners (estimated or reported). */
  deliveries: z.number().nonnegative(),
  /** Messages as Pusher bills them: events (twice with `countSubscribers`) plus deliveries. */
  messages: z.number().nonnegative(),
  /** What vanilla presence channels would have delivered for the joins and leaves seen. */
  vanilla: z.number().nonnegative(),
})
export type SpendBucket = z.infer<typeof SpendBucketSchema>

export const TemplateWarningSchema = z.object({
  kind: z.enum(['reads-as-participant', 'public', 'cache-recommended', 'cache-heartbeat-off']),
  message: z.string(),
})
export type TemplateWarning = z.infer<typeof TemplateWarningSchema>

/**
 * The broadcaster's part of the status. Messages are counted as Pusher bills them: one per event
 * published plus one per delivery (a room summary reaches the room channel's subscribers, estimated as
 * the room's participants unless the server reports its subscription count; a roster reaches one user).
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
  /** What the connection is: the emulator (it answered /emulator/stats), Pusher itself, or another server. */
  target: z.enum(['emulator', 'pusher', 'other', 'unknown']),
  /** Billed messages (events and deliveries), deliveries and events per second over the last minute. */
  messagesPerSecond: z.number().nonnegative(),
  deliveriesPerSecond: z.number().nonnegative(),
  eventsPerSecond: z.number().nonnegative(),
  /** Billed messages, events and requests in Pusher's day (UTC) so far, kept across restarts. */
  messagesToday: z.number().nonnegative(),
  eventsToday: z.number().nonnegative(),
  requestsToday: z.number().nonnegative(),
  /**
   * Messages a day at the steady rate of the last minute (first values left out: they are sent once).
   * While off, from a dry run of the current settings on the live crowd (`projectionBasis`).
   */
  projectedPerDay: z.number().nonnegative(),
  projectionBasis: z.enum(['sending', 'dry-run', 'none']),
  /** Requests per second and events per request over the last minute. */
  requestsPerSecond: z.number().nonnegative(),
  eventsPerRequest: z.number().nonnegative(),
  /** Where a room's fan-out comes from: its participants, or the subscription counts the server reports. */
  subscribers: z.enum(['participants', 'reported', 'not-reported']),
  /** Spend per UTC quarter-hour over the last 25 hours, oldest first: the console sums its own "today". */
  spend: z.array(SpendBucketSchema),
  /**
   * What vanilla presence channels would have delivered for the same crowd and the same joins and leaves:
   * each join or leave to every other member of the room, plus the member list to each joiner. Counted
   * whether or not the broadcaster is on, from the second sync (the first one's "joins" arrived before
   * Headcount looked). `projectedPerDay` is null until a join or leave has been seen.
   */
  vanillaPresence: z.object({
    today: z.number().nonnegative(),
    projectedPerDay: z.number().nonnegative().nullable(),
  }),
  /** The budget, and where it stands in Pusher's day; null without one. */
  budget: z
    .object({
      messagesPerDay: z.int(),
      plan: PlanIdSchema.nullable(),
      /** Messages today (UTC) and what is left. */
      spentToday: z.number().nonnegative(),
      remainingToday: z.number().nonnegative(),
      /** Next 00:00 UTC, when Pusher's count restarts. */
      resetsAt: z.number(),
      /** Spent so far plus the steady rate until the day ends. */
      projectedToday: z.number().nonnegative(),
      /** The token bucket: what may be spent now, its bound, and how fast it fills (messages/s). */
      available: z.number().nonnegative(),
      capacity: z.number().nonnegative(),
      refillPerSecond: z.number().nonnegative(),
      /** Extra figures dropped because spending ran ahead of the budget (0: none). */
      pressure: z.int().nonnegative(),
      /** Rooms whose change waited for the budget at the last tick. */
      waiting: z.int().nonnegative(),
      /** Rooms a summary to which costs more than the whole daily budget: they get nothing. */
      unaffordable: z.object({
        count: z.int(),
        examples: z.array(z.object({ room: z.string(), cost: z.number() })),
      }),
    })
    .nullable(),
  /**
   * The emulator's own count of messages for triggered events (published plus delivered) since
   * broadcasting switched on, next to Headcount's count over the same time; null on other servers.
   */
  measured: z
    .object({ since: z.number(), at: z.number(), emulatorMessages: z.number(), headcountMessages: z.number() })
    .nullable(),
  /** About the room channel template: it reads as a participant, is public, or is no cache channel under a budget. */
  warnings: z.array(TemplateWarningSchema),
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

// ---- room channel templates -----------------------------------------------------------------------

/** Pusher's cache channel prefixes: the channel keeps its last event and hands it to each new subscriber. */
export const CACHE_CHANNEL_PREFIXES = ['cache-', 'private-cache-', 'private-encrypted-cache-', 'presence-cache-']

export function isCacheChannelName(name: string): boolean {
  return CACHE_CHANNEL_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** Room ids the checks below fill templates with. */
const PROBE_ROOMS = ['lobby', 'room1']

/**
 * Why a room channel template can't be used under a naming convention, or null: its names would read
 * as participant channels (`private-cache-{room}` under `private-{room}-{user}` makes
 * `private-cache-lobby`, user "lobby" in room "cache"), so Headcount would count each room channel as a
 * person, and the authorizer would sign it to that "user" only.
 */
export function roomTemplateConflict(template: string, convention: CompiledConvention): string | null {
  for (const room of PROBE_ROOMS) {
    const channel = fillChannelTemplate(template, { room })
    const read = convention.parse(channel)
    if (read !== null) {
      const how = convention.convention.kind === 'template' ? convention.convention.template : 'the naming convention'
      return `Under ${how}, ${channel} reads as user "${read.user}" in room "${read.room}": Headcount would count every room channel as a person. Use a room channel template that doesn't match the convention${read.room === 'cache' ? ', such as cache-{room}' : ''}`
    }
  }
  return null
}

/** Room channel templates worth offering under a convention: cache channels first, then private ones. */
export function suggestedRoomTemplates(convention: CompiledConvention): string[] {
  return ['cache-{room}', 'private-cache-{room}', 'private-{room}'].filter(
    (template) => roomTemplateConflict(template, convention) === null,
  )
}

/** What to tell the operator about a room channel template, in the order it matters. */
export function roomTemplateWarnings(
  settings: Pick<BroadcastSettings, 'channelTemplate' | 'budget'>,
  convention: CompiledConvention,
): TemplateWarning[] {
  const template = settings.channelTemplate
  const warnings: TemplateWarning[] = []
  const conflict = roomTemplateConflict(template, convention)
  if (conflict !== null) warnings.push({ kind: 'reads-as-participant', message: conflict })
  const sample = fillChannelTemplate(template, { room: 'lobby' })
  const cache = isCacheChannelName(sample)
  const privateVariants = suggestedRoomTemplates(convention).filter((candidate) => candidate.startsWith('private-'))
  if (!sample.startsWith('private-') && !sample.startsWith('presence-')) {
    warnings.push({
      kind: 'public',
      message: `${template} is a public channel: anyone with the app key can subscribe and read every count, and each of them is one more delivery on your bill.${privateVariants.length > 0 ? ` ${privateVariants.join(' or ')} needs a signature from your app server.` : ''}`,
    })
  }
  if (settings.budget !== null && !cache) {
    const caches = suggestedRoomTemplates(convention).filter((candidate) => candidate.includes('cache-'))
    warnings.push({
      kind: 'cache-recommended',
      message: `With a budget a room may go a while between summaries, and heartbeats cost as much as the summaries: a cache channel (${caches.join(' or ') || 'cache-{room}'}) hands each late joiner the last summary when it subscribes, with no heartbeat.`,
    })
  }
  if (cache) {
    warnings.push({
      kind: 'cache-heartbeat-off',
      message:
        'Cache channel: no heartbeats (a late joiner gets the last summary on subscribe), and a summary too big for one event drops its smallest groups rather than being split, since the channel keeps only its last event.',
    })
  }
  return warnings
}

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
