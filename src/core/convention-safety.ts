import type { Diagnostics, Hotspot, VulnerableDiagnostics } from 'recheck'
import {
  ANCHOR_PREFIX_LENGTH,
  anchoredRegexSource,
  compileConvention,
  ConventionError,
  type CompiledConvention,
  type NamingConvention,
} from '../shared/naming.ts'
import { ApiError } from '../shared/envelope.ts'
import { MAX_CHANNEL_NAME_LENGTH } from '../shared/pusher-limits.ts'

/**
 * Regex conventions run on every channel name of every poll, and channel names are chosen by whoever
 * subscribes: a pattern that backtracks catastrophically would let one crafted name hold the engine.
 * So a regex is accepted only once recheck has PROVED, from the pattern alone and without running it on
 * any input, that its work grows at most with the square of the name's length (a name is at most 164
 * characters, so that is at most about 27,000 steps). Anything it can't prove is refused in words.
 *
 * recheck's automaton checker runs outside the event loop (its native agent, or a worker thread where
 * there is none), so even a slow analysis never blocks sync or the API.
 */

/** Quadratic is bounded by the 164-character name limit; cubic already costs milliseconds per name. */
const MAX_ACCEPTED_DEGREE = 2
/** How long recheck may analyse one pattern before Headcount gives up and refuses it. */
export const ANALYSIS_TIMEOUT_MS = 5_000
/** Verdicts kept, so the preview (one call per edit) and the save that follows analyse once. */
const CACHED_VERDICTS = 64

type Checker = (
  source: string,
  flags: string,
  params: { timeout: number; checker: 'automaton' },
) => Promise<Diagnostics>

let loadedChecker: Promise<Checker> | null = null
const verdicts = new Map<string, Promise<string | null>>()

/**
 * recheck weighs 3 MB of JavaScript: loaded on the first regex, never for templates. Its first check
 * starts the analysis agent; it runs alone, else checks arriving together would each start one.
 */
function checker(): Promise<Checker> {
  loadedChecker ??= import('recheck').then(async ({ check }) => {
    await check('a', '', { timeout: ANALYSIS_TIMEOUT_MS, checker: 'automaton' })
    return check
  })
  // A failed start is tried again on the next pattern rather than remembered.
  loadedChecker.catch(() => (loadedChecker = null))
  return loadedChecker
}

/**
 * Why `pattern` (a regex convention's pattern, as the user wrote it) is refused, or null when it is
 * proved safe. Never executes the pattern.
 */
export function regexRefusal(pattern: string): Promise<string | null> {
  const cached = verdicts.get(pattern)
  if (cached) return cached
  const verdict = analyse(pattern).then(({ reason, lasting }) => {
    // A timeout or a failed analysis may be the machine rather than the pattern: ask again next time.
    if (!lasting) verdicts.delete(pattern)
    return reason
  })
  verdicts.set(pattern, verdict)
  if (verdicts.size > CACHED_VERDICTS) verdicts.delete(verdicts.keys().next().value as string)
  return verdict
}

async function analyse(pattern: string): Promise<{ reason: string | null; lasting: boolean }> {
  let timer: NodeJS.Timeout | undefined
  // recheck enforces its own timeout; this one only covers an agent that failed to start or died.
  const stalled = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ANALYSIS_TIMEOUT_MS * 2)
    timer.unref()
  })
  try {
    const check = await Promise.race([checker(), stalled])
    const diagnostics =
      check &&
      (await Promise.race([
        check(anchoredRegexSource(pattern), '', { timeout: ANALYSIS_TIMEOUT_MS, checker: 'automaton' }),
        stalled,
      ]))
    if (!diagnostics) return { reason: timeoutRefusal(), lasting: false }
    const unfinished = diagnostics.status === 'unknown' && ['timeout', 'cancel'].includes(diagnostics.error.kind)
    return { reason: explainDiagnostics(pattern, diagnostics), lasting: !unfinished }
  } catch (error) {
    return {
      reason: `Headcount could not check this pattern for catastrophic backtracking (${(error as Error).message}), so it can't be used`,
      lasting: false,
    }
  } finally {
    clearTimeout(timer)
  }
}

function timeoutRefusal(): string {
  return `This pattern is too complex to check for catastrophic backtracking within ${ANALYSIS_TIMEOUT_MS / 1000} s, so it can't be used: simplify it (large counted repetitions such as {1,100} make it much harder to check)`
}

/** The refusal, in words, for recheck's verdict on `pattern`; null when it is safe. */
export function explainDiagnostics(pattern: string, diagnostics: Diagnostics): string | null {
  switch (diagnostics.status) {
    case 'safe':
      return null
    case 'vulnerable':
      return vulnerableRefusal(pattern, diagnostics)
    case 'unknown': {
      const error = diagnostics.error
      if (error.kind === 'timeout' || error.kind === 'cancel') return timeoutRefusal()
      if (error.kind === 'unsupported') {
        return `Headcount accepts only patterns it can prove free of catastrophic backtracking, and it can't analyse a ${error.message}: rewrite the pattern without it`
      }
      return `Headcount could not check this pattern for catastrophic backtracking (${error.message}), so it can't be used`
    }
  }
}

function vulnerableRefusal(pattern: string, diagnostics: VulnerableDiagnostics): string | null {
  const complexity = diagnostics.complexity
  if (complexity.type === 'polynomial' && complexity.degree <= MAX_ACCEPTED_DEGREE) return null
  const part = culprit(pattern, diagnostics.hotspot)
  const where = part === null ? 'parts of it' : `the part ${part}`
  const example = exampleName(diagnostics)
  const on = example === null ? 'some channel names' : `channel names such as "${example}"`
  if (complexity.type === 'exponential') {
    return (
      `This pattern can take exponential time on ${on}: ${where} can match the same characters in more than one way ` +
      `(a repetition inside a repetition, or alternatives that overlap), so every extra character doubles the work. ` +
      `Let each character match one way only, e.g. [^-]+ rather than (a+)+ or (\\w|\\d)+`
    )
  }
  const steps = Math.round(MAX_CHANNEL_NAME_LENGTH ** complexity.degree).toLocaleString('en-US')
  return (
    `This pattern can take time growing with the ${ordinal(complexity.degree)} power of the name's length on ${on}: ` +
    `${where} has ${complexity.degree} repetitions that can share the same characters, up to about ${steps} steps for a ` +
    `${MAX_CHANNEL_NAME_LENGTH}-character name. Separate the repetitions with a character they can't match, e.g. [^-]+-[^-]+`
  )
}

function ordinal(degree: number): string {
  return degree === 3 ? 'third' : degree === 4 ? 'fourth' : `${degree}th`
}

/** A short attack name: the pumped part a few times, when every character is one a channel name may hold. */
function exampleName(diagnostics: VulnerableDiagnostics): string | null {
  const { pumps, suffix } = diagnostics.attack
  const text = pumps.map(({ prefix, pump }) => prefix + pump.repeat(Math.max(1, Math.ceil(6 / pump.length)))).join('')
  const example = `${text}…${suffix}`
  return /^[A-Za-z0-9_\-=@,.;…]+$/.test(example) && example.length <= 60 ? example : null
}

/**
 * The smallest group of `pattern` (with its quantifier) holding every heated spot recheck found, so the
 * refusal names the repetition to change, e.g. "(a+)+". Positions come from the anchored source.
 */
export function culprit(pattern: string, hotspots: readonly Hotspot[]): string | null {
  const heated = hotspots.filter((spot) => spot.temperature === 'heat')
  if (heated.length === 0) return null
  const start = Math.min(...heated.map((spot) => spot.start)) - ANCHOR_PREFIX_LENGTH
  const end = Math.max(...heated.map((spot) => spot.end)) - ANCHOR_PREFIX_LENGTH
  if (start < 0 || end > pattern.length) return null
  let best: [number, number] | null = null
  for (const [open, close] of groupSpans(pattern)) {
    if (open <= start && close >= end && (best === null || close - open < best[1] - best[0])) best = [open, close]
  }
  if (best === null) return pattern.slice(start, end)
  return pattern.slice(best[0], best[1] + quantifierLength(pattern, best[1]))
}

/** [start, end) of every parenthesised group, skipping escapes and character classes. */
function groupSpans(pattern: string): [number, number][] {
  const spans: [number, number][] = []
  const opens: number[] = []
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') i++
    else if (inClass) inClass = char !== ']'
    else if (char === '[') inClass = true
    else if (char === '(') opens.push(i)
    else if (char === ')' && opens.length > 0) spans.push([opens.pop() as number, i + 1])
  }
  return spans
}

function quantifierLength(pattern: string, at: number): number {
  const match = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(pattern.slice(at))
  return match === null ? 0 : match[0].length
}

/** compileConvention, refusing a regex that is not proved safe (see above). */
export async function compileSafeConvention(convention: NamingConvention): Promise<CompiledConvention> {
  const compiled = compileConvention(convention)
  if (convention.kind === 'regex') {
    const refusal = await regexRefusal(convention.pattern)
    if (refusal !== null) throw new ConventionError(refusal)
  }
  return compiled
}

/**
 * A saved convention, compiled and checked before it runs on real channel names: one saved before
 * regexes were checked, or edited by hand, is refused here rather than run.
 */
export async function runnableConvention(convention: NamingConvention): Promise<CompiledConvention> {
  try {
    return await compileSafeConvention(convention)
  } catch (error) {
    if (!(error instanceof ConventionError)) throw error
    throw new ApiError('failed', `The naming convention can't be used: ${error.message}. Change it in Settings.`)
  }
}
