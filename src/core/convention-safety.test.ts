import { describe, expect, it } from 'vitest'
import { ConventionError } from '../shared/naming.ts'
import { compileSafeConvention, culprit, explainDiagnostics, regexRefusal } from './convention-safety.ts'

// recheck's first analysis loads 3 MB of JavaScript and starts its agent: generous on a loaded machine.
const SLOW = 60_000

/** The pattern from the report: 25 "a" then "-c" held the server 1.48 s, doubling per character. */
const NESTED = '^private-(?<room>(a+)+)-(?<user>b)$'

describe('regex conventions are proved free of catastrophic backtracking', () => {
  it(
    'refuses a nested repetition, naming the group and the exponential cost',
    async () => {
      const reason = await regexRefusal(NESTED)
      expect(reason).toMatch(/^This pattern can take exponential time on channel names such as "private-a+…v?/)
      expect(reason).toContain('the part (a+)+ can match the same characters in more than one way')
      await expect(compileSafeConvention({ kind: 'regex', pattern: NESTED })).rejects.toBeInstanceOf(ConventionError)
    },
    SLOW,
  )

  it(
    'refuses overlapping alternatives, which a star-height check would let through',
    async () => {
      expect(await regexRefusal('^private-(?<room>(\\w|\\d)+)-(?<user>.+)$')).toMatch(
        /exponential time .*the part \(\\w\|\\d\)\+ can match/,
      )
      expect(await regexRefusal('(?<room>(a|a)*)-(?<user>b)')).toContain('the part (a|a)*')
    },
    SLOW,
  )

  it(
    'refuses cubic and worse, and says how many steps a longest name may cost',
    async () => {
      const reason = await regexRefusal('^(?<room>a*a*a*)-(?<user>b)$')
      expect(reason).toMatch(/third power of the name's length/)
      expect(reason).toContain('the part (?<room>a*a*a*) has 3 repetitions')
      expect(reason).toContain('4,410,944 steps for a 164-character name')
    },
    SLOW,
  )

  it(
    "refuses what it can't prove: back-references and lookarounds",
    async () => {
      expect(await regexRefusal('^(?<room>\\w+)-(?<user>\\1)$')).toBe(
        "Headcount accepts only patterns it can prove free of catastrophic backtracking, and it can't analyse a back-reference: rewrite the pattern without it",
      )
      expect(await regexRefusal('^(?<room>[a-z]+)(?=-)-(?<user>.+)$')).toContain("can't analyse a look-ahead assertion")
    },
    SLOW,
  )

  it(
    'accepts ordinary patterns, including quadratic ones bounded by the 164-character name limit, and they parse as before',
    async () => {
      for (const pattern of [
        '^private-(?<room>[^-]+)-(?<user>.+)$',
        '^private-(?<room>.+)-(?<user>.+)$',
        '^(?:private|presence)-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>.+)$',
        'presence-(?<room>\\w+)_(?<user>\\d+)',
      ]) {
        expect(await regexRefusal(pattern), pattern).toBeNull()
      }
      const compiled = await compileSafeConvention({
        kind: 'regex',
        pattern: '^(?:private|presence)-(?<room>[^-]+)-(?<group>[^-]+)-(?<user>.+)$',
      })
      expect(compiled.prefix).toBe('')
      expect(compiled.parse('private-lobby-red-max-1')).toEqual({ room: 'lobby', group: 'red', user: 'max-1' })
      expect(compiled.parse('private-lobby')).toBeNull()
    },
    SLOW,
  )

  it('leaves templates alone: they are split by hand, never by a regex', async () => {
    const compiled = await compileSafeConvention({ kind: 'template', template: 'private-{room}-{user}' })
    expect(compiled.parse('private-a-b')).toEqual({ room: 'a', group: null, user: 'b' })
  })

  it('refuses what the analysis could not finish, saying how to simplify it', () => {
    const unfinished = { source: '', flags: '', status: 'unknown', error: { kind: 'timeout' } } as const
    expect(explainDiagnostics('(?<room>a{1,100}){1,10}-(?<user>b)', unfinished)).toBe(
      "This pattern is too complex to check for catastrophic backtracking within 5 s, so it can't be used: simplify it (large counted repetitions such as {1,100} make it much harder to check)",
    )
  })

  it('names the smallest group holding the heated spots, with its quantifier', () => {
    // Positions are in the anchored source, `^(?:` + pattern + `)$`.
    const at = (pattern: string, text: string) => {
      const start = pattern.indexOf(text) + 4
      return { start, end: start + text.length, temperature: 'heat' as const }
    }
    expect(culprit('x(?<room>(a+)+)', [at('x(?<room>(a+)+)', 'a')])).toBe('(a+)+')
    expect(culprit('x(?<room>(.*a){12,}?)', [at('x(?<room>(.*a){12,}?)', '.*a')])).toBe('(.*a){12,}?')
    expect(culprit('[(]a+a+', [at('[(]a+a+', 'a+a')])).toBe('a+a')
    expect(culprit('a', [])).toBeNull()
  })
})
