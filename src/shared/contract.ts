import { z } from 'zod'
import { AppInfoSchema } from './app-info.ts'
import { SettingsPatchSchema, SettingsSchema } from './settings.ts'
import { StatusSchema } from './status.ts'

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
  },
  events: {
    status: StatusSchema,
    'settings.changed': SettingsSchema,
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

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(contract.methods, value)
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(contract.events, value)
}

/** Callers of a no-input method may omit the argument. */
export type InputArgs<M extends MethodName> = undefined extends MethodInput<M>
  ? [input?: MethodInput<M>]
  : [input: MethodInput<M>]
