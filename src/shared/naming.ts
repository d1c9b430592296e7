import { z } from 'zod'
import {
  CHANNEL_CHAR_ALLOWED as ALLOWED,
  channelNameProblem,
  describeChar,
  isValidChannelName,
} from './channel-names.ts'
import { MAX_CHANNEL_NAME_LENGTH } from './pusher-limits.ts'

/**
 * The naming convention that turns a channel name into a participant (DESIGN §3): a template such as
 * `private-{room}-{user}` (optionally with `{group}`), or a regular expression with named groups. Pure:
 * the UI uses it for validation and the live preview, the engine for parsing every new channel.
 *
 * How a template splits a name: the static prefix and suffix are stripped, then every part but the
 * last ends at the FIRST occurrence of the separator that follows it, and the last part takes all
 * the rest. So with `private-{room}-{user}`, `private-A-b-max` is room `A`, user `b-max`: room (and
 * group) ids must not contain their separator, user ids (the last part) may, e.g. UUIDs with dashes.
 */

export const DEFAULT_TEMPLATE = 'private-{room}-{user}'
const PART_NAMES = ['room', 'group', 'user'] as const
export type PartName = (typeof PART_NAMES)[number]

export const TemplateConventionSchema = z.object({
  kind: z.literal('template'),
  template: z.string().min(1).max(MAX_CHANNEL_NAME_LENGTH),
})
export const RegexConventionSchema = z.object({
  kind: z.literal('regex'),
  pattern: z.string().min(1).max(2000),
})
/** The shape only; `ValidNamingConventionSchema` also compiles it. */
export const NamingConventionSchema = z.discriminatedUnion('kind', [TemplateConventionSchema, RegexConventionSchema])
export type NamingConvention = z.infer<typeof NamingConventionSchema>

/** A convention that compiles, with the compiler's message as the validation issue. */
export const ValidNamingConventionSchema = NamingConventionSchema.superRefine((convention, ctx) => {
  try {
    compileConvention(convention)
  } catch (error) {
    if (!(error instanceof ConventionError)) throw error
    ctx.addIssue({
      code: 'custom',
      message: error.message,
      path: [convention.kind === 'template' ? 'template' : 'pattern'],
    })
  }
})

export const DEFAULT_CONVENTION: NamingConvention = { kind: 'template', template: DEFAULT_TEMPLATE }

export class ConventionError extends Error {
  override name = 'ConventionError'
}

export interface ParsedChannel {
  room: string
  group: string | null
  user: string
}

export type ChannelExplanation = { result: ParsedChannel; reason?: undefined } | { result: null; reason: string }

export interface CompiledConvention {
  readonly convention: NamingConvention
  /** Static prefix every participant channel starts with: what the poller sends as `filter_by_prefix` (may be ''). */
  readonly prefix: string
  /** Whether names carry a group part. */
  readonly hasGroup: boolean
  /** What ids must not contain for names to parse unambiguously, for the UI; null when nothing to say. */
  readonly separatorWarning: string | null
  /** The participant a channel name stands for, or null when it is not one (unmatched). */
  parse(name: string): ParsedChannel | null
  /** Like parse, with the reason when it does not match (slower; for previews and status). */
  explain(name: string): ChannelExplanation
}

export interface PreviewRow {
  channel: string
  result: ParsedChannel | null
  reason?: string
}

/** A convention in a few words, for events and messages: the template itself, or the pattern between slashes. */
export function conventionLabel(convention: NamingConvention): string {
  return convention.kind === 'template' ? convention.template : `/${convention.pattern}/`
}

// ---- compiling ----------------------------------------------------------------------------------

export function compileConvention(convention: NamingConvention): CompiledConvention {
  return convention.kind === 'template' ? compileTemplate(convention) : compileRegex(convention)
}

export function previewConvention(
  convention: NamingConvention | CompiledConvention,
  samples: readonly string[],
): PreviewRow[] {
  const compiled = 'parse' in convention ? convention : compileConvention(convention)
  return samples.map((channel) => {
    const explained = compiled.explain(channel)
    return explained.result === null
      ? { channel, result: null, reason: explained.reason }
      : { channel, result: explained.result }
  })
}

// ---- templates ----------------------------------------------------------------------------------

/** A template cut into its parts (the engine also builds its byte-level parser from this). */
export interface TemplateLayout {
  /** literals[i] precedes parts[i]; literals[parts.length] is the suffix. */
  literals: string[]
  parts: PartName[]
}

export function parseTemplate(template: string): TemplateLayout {
  const literals: string[] = []
  const parts: PartName[] = []
  let literal = ''
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string
    if (char === '{') {
      const close = template.indexOf('}', i + 1)
      if (close < 0) throw new ConventionError(`Unclosed "{" at position ${i + 1} of the template`)
      const name = template.slice(i + 1, close)
      if (!(PART_NAMES as readonly string[]).includes(name)) {
        throw new ConventionError(`Unknown placeholder {${name}}: use {room}, {user} and optionally {group}`)
      }
      const part = name as PartName
      if (parts.includes(part)) throw new ConventionError(`The placeholder {${part}} is used twice`)
      if (parts.length > 0 && literal === '') {
        throw new ConventionError(
          `{${parts[parts.length - 1] as string}} and {${part}} need a separator between them (for example "-"), else a name can't be split`,
        )
      }
      literals.push(literal)
      parts.push(part)
      literal = ''
      i = close
    } else if (char === '}') {
      throw new ConventionError(`Unexpected "}" at position ${i + 1} of the template`)
    } else {
      const code = char.charCodeAt(0)
      if (code >= 128 || ALLOWED[code] === 0) {
        throw new ConventionError(
          `The template contains ${describeChar(template, i)}, which channel names can't: only A-Z a-z 0-9 _ - = @ , . ; and the placeholders`,
        )
      }
      literal += char
    }
  }
  literals.push(literal)
  if (!parts.includes('room')) throw new ConventionError('The template needs a {room} placeholder')
  if (!parts.includes('user')) throw new ConventionError('The template needs a {user} placeholder')
  return { literals, parts }
}

const PART_LABEL: Record<PartName, string> = { room: 'room', group: 'group', user: 'user' }

function compileTemplate(convention: { kind: 'template'; template: string }): CompiledConvention {
  const { literals, parts } = parseTemplate(convention.template)
  const prefix = literals[0] as string
  const suffix = literals[parts.length] as string
  const separators = literals.slice(1, parts.length)
  const fixedLength = prefix.length + suffix.length + separators.reduce((sum, s) => sum + s.length, 0) + parts.length
  const roomAt = parts.indexOf('room')
  const groupAt = parts.indexOf('group')
  const userAt = parts.indexOf('user')
  const count = parts.length
  // Reused across calls: parse never re-enters itself.
  const values: string[] = ['', '', '']

  const split = (name: string): boolean => {
    const end = name.length - suffix.length
    let start = prefix.length
    for (let i = 0; i < count - 1; i++) {
      const separator = separators[i] as string
      const at = name.indexOf(separator, start)
      if (at < 0 || at >= end || at === start) return false
      values[i] = name.slice(start, at)
      start = at + separator.length
    }
    if (start >= end) return false
    values[count - 1] = name.slice(start, end)
    return true
  }

  const parse = (name: string): ParsedChannel | null => {
    if (name.length < fixedLength || !name.startsWith(prefix) || !name.endsWith(suffix) || !isValidChannelName(name))
      return null
    if (!split(name)) return null
    return {
      room: values[roomAt] as string,
      group: groupAt < 0 ? null : (values[groupAt] as string),
      user: values[userAt] as string,
    }
  }

  const explain = (name: string): ChannelExplanation => {
    const result = parse(name)
    if (result !== null) return { result }
    const problem = channelNameProblem(name)
    if (problem !== null) return { result: null, reason: problem }
    if (!name.startsWith(prefix)) return { result: null, reason: `does not start with "${prefix}"` }
    if (!name.endsWith(suffix) || name.length < prefix.length + suffix.length) {
      return { result: null, reason: `does not end with "${suffix}"` }
    }
    const end = name.length - suffix.length
    let start = prefix.length
    for (let i = 0; i < count - 1; i++) {
      const separator = separators[i] as string
      const part = PART_LABEL[parts[i] as PartName]
      const at = name.indexOf(separator, start)
      if (at < 0 || at >= end)
        return {
          result: null,
          reason: `missing part: no "${separator}" after the ${part}, so no ${PART_LABEL[parts[i + 1] as PartName]}`,
        }
      if (at === start) return { result: null, reason: `missing part: the ${part} is empty` }
      start = at + separator.length
    }
    return { result: null, reason: `missing part: the ${PART_LABEL[parts[count - 1] as PartName]} is empty` }
  }

  return {
    convention,
    prefix,
    hasGroup: groupAt >= 0,
    separatorWarning: templateWarning(parts, separators, literals, parse),
    parse,
    explain,
  }
}

const SAMPLE_VALUE: Record<PartName, string> = { room: 'A', group: 'g', user: 'max' }

function templateWarning(
  parts: PartName[],
  separators: string[],
  literals: string[],
  parse: (name: string) => ParsedChannel | null,
): string | null {
  if (parts.length < 2) return null
  const bySeparator = new Map<string, string[]>()
  parts.slice(0, -1).forEach((part, i) => {
    const separator = separators[i] as string
    bySeparator.set(separator, [...(bySeparator.get(separator) ?? []), PART_LABEL[part]])
  })
  const restricted = [...bySeparator].map(
    ([separator, labels]) => `${labels.join(' and ')} ids must not contain "${separator}"`,
  )
  // An example built from the first part holding its own separator, read back with the real parser.
  const first = parts[0] as PartName
  const values = parts.map((part, i) =>
    i === 0 ? `${SAMPLE_VALUE[part]}${separators[0] as string}b` : SAMPLE_VALUE[part],
  )
  const example = literals.map((literal, i) => literal + (values[i] ?? '')).join('')
  const read = parse(example)
  const readAs = read === null ? 'does not parse' : `is read as ${describeParsed(read)}`
  const last = parts[parts.length - 1] as PartName
  return (
    `${capitalise(restricted.join(' and '))}: ${example} ${readAs}, not ${PART_LABEL[first]} "${values[0] as string}". ` +
    `The ${PART_LABEL[last]}, the last part, takes everything after its separator, so ${PART_LABEL[last]} ids may contain it.`
  )
}

function describeParsed(parsed: ParsedChannel): string {
  return `room "${parsed.room}"${parsed.group === null ? '' : `, group "${parsed.group}"`}, user "${parsed.user}"`
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// ---- regular expressions ------------------------------------------------------------------------

/** The expression a regex convention actually runs: the whole channel name must match. */
export function anchoredRegexSource(pattern: string): string {
  return `^(?:${pattern})$`
}

/** How many characters `anchoredRegexSource` puts before the pattern, to map positions back to it. */
export const ANCHOR_PREFIX_LENGTH = '^(?:'.length

function compileRegex(convention: { kind: 'regex'; pattern: string }): CompiledConvention {
  const pattern = convention.pattern
  try {
    // Standalone first, so a pattern such as `a)|(b` can't escape the anchoring group below.
    new RegExp(pattern)
  } catch (error) {
    throw new ConventionError(`Invalid regular expression: ${error instanceof Error ? error.message : String(error)}`)
  }
  // An empty alternative always matches, and its groups object lists every named group.
  const names = Object.keys(new RegExp(`(?:${pattern})|`).exec('')?.groups ?? {})
  const missing = ['room', 'user'].filter((name) => !names.includes(name))
  if (missing.length > 0) {
    throw new ConventionError(
      `The regular expression needs named groups ${missing.map((name) => `(?<${name}>…)`).join(' and ')}; it has ${names.length === 0 ? 'none' : names.map((name) => `(?<${name}>)`).join(', ')}`,
    )
  }
  const hasGroup = names.includes('group')
  const anchored = new RegExp(anchoredRegexSource(pattern))

  const match = (name: string): ParsedChannel | 'empty' | null => {
    const groups = anchored.exec(name)?.groups
    if (groups === undefined) return null
    const room = groups.room
    const user = groups.user
    if (room === undefined || room === '' || user === undefined || user === '') return 'empty'
    const group = groups.group
    return { room, group: group === undefined || group === '' ? null : group, user }
  }

  const parse = (name: string): ParsedChannel | null => {
    if (!isValidChannelName(name)) return null
    const result = match(name)
    return result === 'empty' ? null : result
  }

  const explain = (name: string): ChannelExplanation => {
    const problem = channelNameProblem(name)
    if (problem !== null) return { result: null, reason: problem }
    const result = match(name)
    if (result === null) return { result: null, reason: 'does not match the pattern' }
    if (result === 'empty')
      return { result: null, reason: 'missing part: the pattern matched with an empty room or user' }
    return { result }
  }

  return {
    convention,
    prefix: regexLiteralPrefix(pattern),
    hasGroup,
    separatorWarning: null,
    parse,
    explain,
  }
}

const QUANTIFIER_START = new Set(['?', '*', '+', '{'])
/** Characters that stand for themselves when escaped with a backslash and belong to channel names. */
const ESCAPABLE_LITERALS = new Set(['.', '-', '_', '=', '@', ',', ';'])

/**
 * The longest literal prefix every match must start with: what can safely go in `filter_by_prefix`.
 * Conservative: stops at the first construct that is not a plain character (groups, classes, `.`,
 * escapes such as `\d`), drops a character a quantifier applies to, and gives '' when a top-level
 * alternation means matches need not share a start.
 */
export function regexLiteralPrefix(pattern: string): string {
  if (hasTopLevelAlternation(pattern)) return ''
  let i = pattern.startsWith('^') ? 1 : 0
  let prefix = ''
  while (i < pattern.length) {
    const char = pattern[i] as string
    let literal: string | null = null
    let width = 1
    if (char === '\\') {
      const next = pattern[i + 1]
      if (next !== undefined && ESCAPABLE_LITERALS.has(next)) {
        literal = next
        width = 2
      }
    } else if (char !== '.') {
      const code = char.charCodeAt(0)
      if (code < 128 && ALLOWED[code] === 1) literal = char
    }
    if (literal === null) break
    const after = pattern[i + width]
    if (after !== undefined && QUANTIFIER_START.has(after)) break
    prefix += literal
    i += width
  }
  return prefix
}

function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') {
      i++
    } else if (inClass) {
      if (char === ']') inClass = false
    } else if (char === '[') {
      inClass = true
    } else if (char === '(') {
      depth++
    } else if (char === ')') {
      depth--
    } else if (char === '|' && depth === 0) {
      return true
    }
  }
  return false
}
