import { z } from 'zod'

const Time = z.number().int().nonnegative()

export const SeriesQuerySchema = z
  .object({
    rooms: z.array(z.string().min(1).max(200)).max(50),
    from: Time,
    to: Time,
    /** At most this many points per series: the chart's width in pixels. */
    points: z.int().min(2).max(5000),
    includeTotal: z.boolean().default(false),
  })
  .refine((query) => query.from < query.to, { message: '"from" must be before "to"', path: ['from'] })
export type SeriesQuery = z.input<typeof SeriesQuerySchema>

/** `value` is `null` across a gap, and holds until the next point (step semantics). */
export const SeriesPointSchema = z.object({ t: z.number(), value: z.number().nullable() })
export const SeriesSchema = z.object({ room: z.string(), points: z.array(SeriesPointSchema) })
export type SeriesPoint = z.infer<typeof SeriesPointSchema>
export type Series = z.infer<typeof SeriesSchema>
/** The name the total's series carries. */
export const TOTAL_SERIES = '*total*'

export const GroupSeriesQuerySchema = z
  .object({ room: z.string().min(1).max(200), from: Time, to: Time, points: z.int().min(2).max(5000) })
  .refine((query) => query.from < query.to, { message: '"from" must be before "to"', path: ['from'] })

export const GroupSeriesPointSchema = z.object({
  t: z.number(),
  /** Room count at that point; `null` across a gap. */
  total: z.number().nullable(),
  /** Users per group at that point (empty across a gap). */
  groups: z.record(z.string(), z.number()),
})
export type GroupSeriesPoint = z.infer<typeof GroupSeriesPointSchema>

export const GroupSeriesSchema = z.object({
  room: z.string(),
  /** Every group seen in the room, sorted. */
  groups: z.array(z.string()),
  points: z.array(GroupSeriesPointSchema),
})
export type GroupSeries = z.infer<typeof GroupSeriesSchema>

export const ExportRequestSchema = z
  .object({
    kind: z.enum(['occupancy', 'sessions']),
    rooms: z.array(z.string().min(1).max(200)).max(10_000).optional(),
    from: Time,
    to: Time,
    resolution: z.enum(['raw', '10s', '1m', '1h']).default('1m'),
    /**
     * Occupancy only. long: a row per room and time. wide: a row per time and a column per room (the
     * total first), for spreadsheets; a cell is the count at the end of the interval, blank where unknown.
     */
    layout: z.enum(['long', 'wide']).default('long'),
  })
  .refine((request) => request.from < request.to, { message: '"from" must be before "to"', path: ['from'] })
  .refine((request) => request.layout === 'long' || request.kind === 'occupancy', {
    message: 'Only occupancy can be exported with a column per room',
    path: ['layout'],
  })
  .refine((request) => request.layout === 'long' || request.resolution !== 'raw', {
    message: 'A column per room needs a resolution of 10 seconds, 1 minute or 1 hour, not every change',
    path: ['resolution'],
  })
export type ExportRequest = z.input<typeof ExportRequestSchema>

/** A room the history knows, with its latest stored count: rooms that have emptied are in it too. */
export const KnownRoomSchema = z.object({
  room: z.string(),
  count: z.int().nonnegative(),
  /** When its count last changed (ms), null if never stored. */
  changedAt: z.number().nullable(),
})
export type KnownRoomView = z.infer<typeof KnownRoomSchema>

export const ExportProgressSchema = z.object({
  id: z.string(),
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  rows: z.int(),
  estimatedRows: z.int().nullable(),
  /** Where the file is (desktop) or its download path (web mode), once done. */
  file: z.string().nullable(),
  error: z.string().nullable(),
})
export type ExportProgress = z.infer<typeof ExportProgressSchema>

/** An export this engine ran since it started, so a console opened (or reloaded) later still lists it. */
export const ExportJobSchema = z.object({
  request: ExportRequestSchema,
  progress: ExportProgressSchema,
  startedAt: z.number(),
})
export type ExportJobView = z.infer<typeof ExportJobSchema>

/**
 * Why nothing is known over a gap in the history. `not-recording` is the one cause histories written
 * before causes were kept carry for Headcount's own downtime.
 */
export const GapCauseSchema = z.enum([
  'stopped',
  'crashed',
  'disconnected',
  'switched',
  'convention',
  'settings',
  'sync-failed',
  'not-recording',
])
export type GapCause = z.infer<typeof GapCauseSchema>

/** A gap's cause as a title, for charts and exports. */
export const GAP_CAUSE_TITLES: Record<GapCause, string> = {
  stopped: 'Headcount stopped',
  crashed: 'Headcount stopped unexpectedly',
  disconnected: 'Not watching this app',
  switched: 'Watching another connection',
  convention: 'Naming convention changed',
  settings: 'Sync settings changed',
  'sync-failed': 'Sync failed',
  'not-recording': 'Headcount was not recording',
}

/**
 * Marks laid over a time chart: spans (a gap in the history, with its cause) and instants (an event:
 * the naming convention changed, the sync mode changed, broadcasting went on or off). `kind` decides
 * how a mark is drawn; `label` is its title and `detail` the words of its tooltip.
 */
export const SpanKindSchema = z.enum(['gap'])
export const InstantKindSchema = z.enum(['convention', 'sync-mode', 'broadcast'])
export const ChartSpanSchema = z.object({
  from: z.number(),
  to: z.number(),
  kind: SpanKindSchema,
  label: z.string(),
  detail: z.string(),
})
export const ChartInstantSchema = z.object({
  t: z.number(),
  kind: InstantKindSchema,
  label: z.string(),
  detail: z.string(),
})
export const AnnotationsSchema = z.object({ spans: z.array(ChartSpanSchema), instants: z.array(ChartInstantSchema) })
export type ChartSpan = z.infer<typeof ChartSpanSchema>
export type ChartInstant = z.infer<typeof ChartInstantSchema>
export type Annotations = z.infer<typeof AnnotationsSchema>
export type InstantKind = z.infer<typeof InstantKindSchema>

export const AnnotationsQuerySchema = z
  .object({ from: Time, to: Time })
  .refine((query) => query.from < query.to, { message: '"from" must be before "to"', path: ['from'] })
