import type { CompiledConvention, ParsedChannel } from '../shared/naming.ts'

/** What saving a convention would change about the channels present now. */
export interface ConventionImpact {
  /** Channels present now (participants and not). */
  channels: number
  /** Of those, channels that would be read as another participant, or no longer (or newly) as one. */
  changed: number
  /** A few of them, with both readings (null: not a participant). */
  examples: { channel: string; before: ParsedChannel | null; after: ParsedChannel | null }[]
}

const EXAMPLES = 5

/**
 * Compares how two conventions read the channels present now. A channel outside the new convention's
 * prefix would no longer be listed by polls at all, so it reads as nothing under it.
 */
export async function conventionImpact(
  forEachChannel: (visit: (name: string) => void) => Promise<void>,
  before: CompiledConvention,
  after: CompiledConvention,
): Promise<ConventionImpact> {
  const impact: ConventionImpact = { channels: 0, changed: 0, examples: [] }
  await forEachChannel((channel) => {
    impact.channels++
    const was = before.parse(channel)
    const will = channel.startsWith(after.prefix) ? after.parse(channel) : null
    if (sameReading(was, will)) return
    impact.changed++
    if (impact.examples.length < EXAMPLES) impact.examples.push({ channel, before: was, after: will })
  })
  return impact
}

function sameReading(a: ParsedChannel | null, b: ParsedChannel | null): boolean {
  if (a === null || b === null) return a === b
  return a.room === b.room && a.user === b.user && a.group === b.group
}
