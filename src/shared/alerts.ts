import { z } from 'zod'

/**
 * Alert rules an operator sets per connection, and the alert log the engine keeps in that
 * connection's history. The engine evaluates the rules on every sync (src/core/alerts), so they fire
 * whether or not a console is open; each firing and its resolution is one log entry and one `alert`
 * event.
 */

export const AlertRuleIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not an alert rule id')

/** A room by name, or null for "any room" (every room with people in it). */
const RoomTargetSchema = z.string().trim().min(1, 'Name the room, or choose any room').max(200).nullable()
/** A whole number from `min` to `max`, refused in words naming the field. */
function wholeNumber(field: string, min: number, max: number) {
  const range = `${field} is a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`
  return z.int(range).min(min, range).max(max, range)
}
const People = wholeNumber('People', 0, 100_000_000)

/** The most rules one connection may have: each is evaluated on every sync. */
export const MAX_ALERT_RULES = 50

function ruleShapes<Id extends z.ZodType>(id: Id) {
  const base = { id, enabled: z.boolean().default(true) }
  return z.discriminatedUnion('kind', [
    z.object({ ...base, kind: z.literal('room-above'), room: RoomTargetSchema, people: People }),
    z.object({
      ...base,
      kind: z.literal('room-below'),
      room: RoomTargetSchema,
      people: wholeNumber('People', 1, 100_000_000),
    }),
    z.object({
      ...base,
      kind: z.literal('room-change'),
      room: RoomTargetSchema,
      /** Fires when the count moves by more than this share of where it was, within `minutes`. */
      percent: z
        .number('Percent is a number from 1 to 10,000')
        .min(1, 'Percent is a number from 1 to 10,000')
        .max(10_000, 'Percent is a number from 1 to 10,000'),
      minutes: wholeNumber('Minutes', 1, 1440),
      /** …and by at least this many people, so a room of 2 becoming 4 is not a 100 % alarm. */
      atLeast: wholeNumber('At least', 1, 100_000_000).default(10),
    }),
    z.object({
      ...base,
      kind: z.literal('sync-stale'),
      /** Fires when syncs have been failing and the data is older than this. */
      seconds: wholeNumber('Seconds', 5, 86_400),
    }),
    z.object({
      ...base,
      kind: z.literal('broadcast-failing'),
      /** Fires when the broadcaster has been failing for this long (0: at once). */
      seconds: wholeNumber('Seconds', 0, 3600).default(10),
    }),
  ])
}

export const AlertRuleSchema = ruleShapes(AlertRuleIdSchema)
export type AlertRule = z.infer<typeof AlertRuleSchema>
export type AlertKind = AlertRule['kind']
export const ALERT_KINDS = ['room-above', 'room-below', 'room-change', 'sync-stale', 'broadcast-failing'] as const
export const AlertKindSchema = z.enum(ALERT_KINDS)

/** A rule as the UI sends it: without an id it is a new rule. */
export const AlertRuleInputSchema = ruleShapes(AlertRuleIdSchema.optional())
export type AlertRuleInput = z.input<typeof AlertRuleInputSchema>

const count = (people: number) => `${people.toLocaleString('en-US')} ${people === 1 ? 'person' : 'people'}`

/** A rule in words, as the rules list and the alert log name it. */
export function describeRule(rule: AlertRuleInput | AlertRule): string {
  switch (rule.kind) {
    case 'room-above':
      return `${rule.room ?? 'Any room'} above ${count(rule.people)}`
    case 'room-below':
      return `${rule.room ?? 'Any room'} below ${count(rule.people)}`
    case 'room-change':
      return `${rule.room ?? 'Any room'} changing by more than ${rule.percent} % in ${rule.minutes} min (at least ${count(rule.atLeast ?? 10)})`
    case 'sync-stale':
      return `Sync stale for more than ${rule.seconds} s`
    case 'broadcast-failing':
      return (rule.seconds ?? 10) > 0
        ? `Broadcaster failing for more than ${rule.seconds ?? 10} s`
        : 'Broadcaster failing'
  }
}

/** One firing of a rule, from when it fired until it resolved (null while it is still true). */
export const AlertEntrySchema = z.object({
  id: z.int().positive(),
  ruleId: AlertRuleIdSchema,
  kind: AlertKindSchema,
  /** The rule in words as it was when it fired (the rule may have changed or gone since). */
  rule: z.string(),
  /** The room it is about; null for connection-wide rules. */
  room: z.string().nullable(),
  firedAt: z.number(),
  /** What was true when it fired: "lobby has 104 people". */
  message: z.string(),
  resolvedAt: z.number().nullable(),
  /** What was true when it resolved: "lobby is back to 93 people". */
  resolution: z.string().nullable(),
})
export type AlertEntry = z.infer<typeof AlertEntrySchema>

export const AlertEventSchema = z.object({ change: z.enum(['fired', 'resolved']), entry: AlertEntrySchema })
export type AlertEvent = z.infer<typeof AlertEventSchema>

export const AlertLogQuerySchema = z.object({
  limit: z.int().min(1).max(1000).default(200),
  /** Entries older than this id (the next page). */
  before: z.int().positive().optional(),
})
export type AlertLogQuery = z.input<typeof AlertLogQuerySchema>

export const AlertLogSchema = z.object({ entries: z.array(AlertEntrySchema) })
export type AlertLog = z.infer<typeof AlertLogSchema>

/** What a notification says of an alert event, on the desktop and in the browser alike. */
export function alertNotice(event: AlertEvent): { title: string; body: string } {
  const { entry } = event
  return event.change === 'fired'
    ? { title: `Alert: ${entry.rule}`, body: entry.message }
    : { title: `Resolved: ${entry.rule}`, body: entry.resolution ?? 'No longer true' }
}
