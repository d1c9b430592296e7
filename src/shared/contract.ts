import { z } from 'zod'
import {
  AlertEventSchema,
  AlertLogQuerySchema,
  AlertLogSchema,
  AlertRuleIdSchema,
  AlertRuleInputSchema,
  AlertRuleSchema,
} from './alerts.ts'
import { AppInfoSchema } from './app-info.ts'
import {
  BroadcastPreviewSchema,
  BroadcastSettingsPatchSchema,
  BroadcastSettingsSchema,
  FriendsImportInputSchema,
  FriendsImportResultSchema,
  FriendsOfInputSchema,
  FriendsOfSchema,
  FriendsSummarySchema,
} from './broadcast.ts'
import {
  AnnotationsQuerySchema,
  AnnotationsSchema,
  ExportProgressSchema,
  ExportJobSchema,
  ExportRequestSchema,
  GroupSeriesQuerySchema,
  GroupSeriesSchema,
  KnownRoomSchema,
  SeriesQuerySchema,
  SeriesSchema,
} from './history.ts'
import { EngineSwitchResultSchema, EngineViewSchema, RemoteServerInputSchema } from './engine-choice.ts'
import { NamingConventionSchema } from './naming.ts'
import { RoomDetailInputSchema, RoomDetailSchema, RoomsSnapshotSchema, TickSchema } from './presence.ts'
import {
  ConnectionTestInputSchema,
  ConnectionTestResultSchema,
  ProfileIdSchema,
  ProfileInputSchema,
  ProfileViewSchema,
} from './profiles.ts'
import { SettingsPatchSchema, SettingsSchema } from './settings.ts'
import { StatusSchema } from './status.ts'
import { SyncOptionsSchema } from './sync.ts'

/**
 * The one API between the UI and the engine. Every method the UI can call and every event the engine
 * pushes is declared here once, with zod schemas; both transports (Electron IPC and the web-mode
 * WebSocket) validate against these same entries. Adding a method is one entry here plus one handler.
 */
interface MethodSpec<I extends z.ZodType, O extends z.ZodType> {
  input: I
  output: O
  summary: string
}

function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec
}

/** Methods that take no argument accept `undefined` (IPC) and a missing field (JSON). */
const NoInput = z.undefined()
const Done = z.null()
const ProfileRef = z.object({ id: ProfileIdSchema })

/** A file the console saves through the desktop's dialog, base64: 4 MB, far above a chart's picture or data. */
export const MAX_SAVED_FILE_BASE64 = 4 * 1024 * 1024

const ConventionInfoSchema = z.object({
  convention: NamingConventionSchema,
  prefix: z.string(),
  separatorWarning: z.string().nullable(),
})

const ParsedChannelSchema = z.object({ room: z.string(), group: z.string().nullable(), user: z.string() })

const ConventionImpactSchema = z.object({
  /** False when the profile is not being watched: there are no live channels to compare. */
  live: z.boolean(),
  /** Channels present now. */
  channels: z.int(),
  /** Of those, channels the new convention reads as another participant, or no longer (or newly) as one. */
  changed: z.int(),
  examples: z.array(
    z.object({ channel: z.string(), before: ParsedChannelSchema.nullable(), after: ParsedChannelSchema.nullable() }),
  ),
})

const ConventionPreviewSchema = z.object({
  /** Null when the convention itself is invalid; `error` says why. */
  prefix: z.string().nullable(),
  separatorWarning: z.string().nullable(),
  error: z.string().nullable(),
  rows: z.array(
    z.object({
      channel: z.string(),
      result: ParsedChannelSchema.nullable(),
      reason: z.string().optional(),
    }),
  ),
})

export const contract = {
  methods: {
    'app.info': method({
      input: NoInput,
      output: AppInfoSchema,
      summary: 'Version, runtime and where data and secrets are kept',
    }),
    'status.get': method({
      input: NoInput,
      output: StatusSchema,
      summary: 'The latest status, for a UI that has just started listening',
    }),
    'settings.get': method({ input: NoInput, output: SettingsSchema, summary: 'Current settings' }),
    'settings.update': method({
      input: SettingsPatchSchema,
      output: SettingsSchema,
      summary: 'Change some settings; returns the settings as saved',
    }),

    'profiles.list': method({
      input: NoInput,
      output: z.array(ProfileViewSchema),
      summary: 'Saved connections, without secrets',
    }),
    'profiles.save': method({
      input: ProfileInputSchema,
      output: ProfileViewSchema,
      summary: 'Create or update a connection; the secret is stored apart and never returned',
    }),
    'profiles.delete': method({ input: ProfileRef, output: Done, summary: 'Forget a connection and its secret' }),
    'profiles.test': method({
      input: ConnectionTestInputSchema,
      output: ConnectionTestResultSchema,
      summary: 'Try a saved connection or form values; the answer classifies any failure in plain words',
    }),

    'connection.connect': method({
      input: ProfileRef,
      output: StatusSchema,
      summary: 'Start watching a saved connection',
    }),
    'connection.disconnect': method({ input: NoInput, output: StatusSchema, summary: 'Stop watching' }),
    'sync.now': method({ input: NoInput, output: Done, summary: 'Poll now instead of waiting for the next cycle' }),

    'convention.set': method({
      input: ProfileRef.extend({ convention: NamingConventionSchema }),
      output: ConventionInfoSchema,
      summary: 'Change how channel names map to rooms, groups and users',
    }),
    'convention.preview': method({
      input: z.object({ convention: NamingConventionSchema, samples: z.array(z.string().max(500)).max(50) }),
      output: ConventionPreviewSchema,
      summary: 'How sample channel names parse under a convention, before saving it',
    }),
    'convention.impact': method({
      input: ProfileRef.extend({ convention: NamingConventionSchema }),
      output: ConventionImpactSchema,
      summary: 'How many of the channels present now a convention would read differently, before saving it',
    }),
    'sync.setOptions': method({
      input: ProfileRef.extend({ options: SyncOptionsSchema }),
      output: SyncOptionsSchema,
      summary: 'Change sync mode, intervals and webhook port (restarts sync if connected)',
    }),

    'rooms.list': method({ input: NoInput, output: RoomsSnapshotSchema, summary: 'Every occupied room, now' }),
    'room.detail': method({
      input: RoomDetailInputSchema,
      output: RoomDetailSchema,
      summary: "A room's participants (paged, searchable), groups and recent joins and leaves",
    }),
    'history.series': method({
      input: SeriesQuerySchema,
      output: z.array(SeriesSchema),
      summary: 'Occupancy over time for rooms (and the total), downsampled to at most `points` points',
    }),
    'history.groups': method({
      input: GroupSeriesQuerySchema,
      output: GroupSeriesSchema,
      summary: "A room's occupancy per subgroup over time",
    }),

    'history.annotations': method({
      input: AnnotationsQuerySchema,
      output: AnnotationsSchema,
      summary: 'Gaps (with their cause) and events (convention, sync mode, broadcasting changed) over a time range',
    }),

    'history.rooms': method({
      input: NoInput,
      output: z.object({ rooms: z.array(KnownRoomSchema) }),
      summary: 'Every room the history of the connected app knows, present or emptied, with its latest count',
    }),

    'export.start': method({
      input: ExportRequestSchema,
      output: ExportProgressSchema,
      summary: 'Write occupancy or sessions to CSV; progress arrives as export.progress events',
    }),
    'export.list': method({
      input: NoInput,
      output: z.array(ExportJobSchema),
      summary:
        "This engine's exports since it started, running and finished, oldest first: a reloaded console lists them again",
    }),
    'export.cancel': method({
      input: z.object({ id: z.string() }),
      output: Done,
      summary: 'Stop an export and remove its file',
    }),
    'export.saveAs': method({
      input: z.object({ id: z.string() }),
      output: z.object({ savedTo: z.string().nullable() }),
      summary: 'Desktop only: ask where to save a finished export and copy it there (null if the operator cancels)',
    }),

    'export.saveFile': method({
      input: z.object({
        /** The name offered in the save dialog, e.g. "headcount-overview-2026-03-04T14-03-07Z.png". */
        name: z.string().regex(/^[A-Za-z0-9 ._()-]{1,120}\.(png|csv)$/, 'A file name ending in .png or .csv'),
        /** The file, base64: a chart's picture or the data behind it, made by the console. */
        data: z.base64().max(MAX_SAVED_FILE_BASE64, 'The file is too large to save this way (4 MB at most)'),
      }),
      output: z.object({ savedTo: z.string().nullable() }),
      summary:
        'Desktop only: ask where to save a file the console made (a chart as PNG, its data as CSV) and write it there (null if the operator cancels)',
    }),

    'broadcast.set': method({
      input: ProfileRef.extend({ settings: BroadcastSettingsPatchSchema }),
      output: BroadcastSettingsSchema,
      summary:
        'Change broadcaster settings (fields left out keep their value); `enabled` is the switch: for the connected profile it starts within one interval, or stops and sends nothing more before answering',
    }),
    'broadcast.preview': method({
      input: z.object({ room: z.string().min(1).max(200) }),
      output: BroadcastPreviewSchema,
      summary:
        "The last summary the connected profile's broadcaster sent to a room, exactly as sent, and what its participants see now (before any was sent, the event(s) it would send now)",
    }),
    'friends.import': method({
      input: FriendsImportInputSchema,
      output: FriendsImportResultSchema,
      summary:
        'Replace a connection’s friend graph from CSV (user,friend); any bad row refuses the whole file, listed with line numbers',
    }),
    'friends.get': method({
      input: ProfileRef,
      output: FriendsSummarySchema,
      summary: "A connection's friend graph, summarised",
    }),
    'friends.clear': method({
      input: ProfileRef,
      output: FriendsSummarySchema,
      summary: "Forget a connection's friend graph",
    }),
    'friends.of': method({
      input: FriendsOfInputSchema,
      output: FriendsOfSchema,
      summary: "Which of a user's friends are in the room now (connected profile)",
    }),

    'alerts.saveRule': method({
      input: ProfileRef.extend({ rule: AlertRuleInputSchema }),
      output: AlertRuleSchema,
      summary:
        "Add (no rule id) or change one of a connection's alert rules; the connected profile's engine evaluates it from its next sync",
    }),
    'alerts.deleteRule': method({
      input: ProfileRef.extend({ ruleId: AlertRuleIdSchema }),
      output: Done,
      summary: 'Remove an alert rule; its alerts still firing are resolved',
    }),
    'alerts.log': method({
      input: AlertLogQuerySchema,
      output: AlertLogSchema,
      summary:
        "The connected app's alert log from its history, newest first: each firing, and its resolution once it stopped",
    }),

    'demo.start': method({
      input: NoInput,
      output: StatusSchema,
      summary: 'Start the embedded emulator with a simulated crowd and connect to it',
    }),
    'demo.stop': method({
      input: NoInput,
      output: StatusSchema,
      summary: 'Stop the demo crowd and disconnect from it',
    }),

    // Answered by the shell around the engine (the desktop app, or web mode), never by an engine itself.
    'engine.get': method({
      input: NoInput,
      output: EngineViewSchema,
      summary: 'Which engine this console shows: this computer’s or a shared server’s, and how its link is',
    }),
    'engine.useRemote': method({
      input: RemoteServerInputSchema,
      output: EngineSwitchResultSchema,
      summary:
        'Desktop only: show a shared `headcount serve` instead of this computer’s engine (which stops); switches only once connected, and remembers the choice',
    }),
    'engine.useLocal': method({
      input: NoInput,
      output: EngineViewSchema,
      summary: 'Desktop only: show this computer’s engine again (it resumes its last connection)',
    }),
  },
  events: {
    status: StatusSchema,
    /** The engine shown, or its link, changed (desktop only). */
    engine: EngineViewSchema,
    tick: TickSchema,
    'settings.changed': SettingsSchema,
    'export.progress': ExportProgressSchema,
    /** An alert rule fired or stopped being true (already in the history's alert log). */
    alert: AlertEventSchema,
  },
} as const

export type Contract = typeof contract
export type MethodName = keyof Contract['methods']
export type EventName = keyof Contract['events']
export type MethodInput<M extends MethodName> = z.input<Contract['methods'][M]['input']>
export type MethodParsedInput<M extends MethodName> = z.output<Contract['methods'][M]['input']>
export type MethodResult<M extends MethodName> = z.output<Contract['methods'][M]['output']>
export type EventPayload<E extends EventName> = z.output<Contract['events'][E]>

export const METHOD_NAMES = Object.keys(contract.methods) as MethodName[]
export const EVENT_NAMES = Object.keys(contract.events) as EventName[]

/** Methods the shell answers (the desktop app or web mode), not the engine: an engine's handlers leave them out. */
export const SHELL_METHOD_NAMES = ['engine.get', 'engine.useRemote', 'engine.useLocal'] as const satisfies MethodName[]
export type ShellMethodName = (typeof SHELL_METHOD_NAMES)[number]

export function isShellMethodName(value: unknown): value is ShellMethodName {
  return (SHELL_METHOD_NAMES as readonly unknown[]).includes(value)
}

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(contract.methods, value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(contract.events, value)
}

/** Callers of a no-input method may omit the argument. */
export type InputArgs<M extends MethodName> =
  undefined extends MethodInput<M> ? [input?: MethodInput<M>] : [input: MethodInput<M>]
