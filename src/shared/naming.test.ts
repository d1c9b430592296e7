import { describe, expect, it } from 'vitest'
import { channelNameProblem, isValidChannelName } from './channel-names.ts'
import {
  compileConvention,
  ConventionError,
  DEFAULT_CONVENTION,
  NamingConventionSchema,
  previewConvention,
  regexLiteralPrefix,
  ValidNamingConventionSchema,
  type NamingConvention,
} from './naming.ts'

const template = (value: string): NamingConvention => ({ kind: 'template', template: value })
const regex = (pattern: string): NamingConvention => ({ kind: 'regex', pattern })

function compileError(convention: NamingConvention): string {
  try {
    compileConvention(convention)
  } catch (error) {
    expect(error).toBeInstanceOf(ConventionError)
    return (error as Error).message
  }
  throw new Error('expected a ConventionError')
}

describe('default convention', () => {
  const compiled = compileConvention(DEFAULT_CONVENTION)

  it('is private-{room}-{user} with prefix private-', () => {
    expect(DEFAULT_CONVENTION).toEqual({ kind: 'template', template: 'private-{room}-{user}' })
    expect(compiled.prefix).toBe('private-')
    expect(compiled.hasGroup).toBe(false)
  })

  it('parses participants', () => {
    expect(compiled.parse('private-roomA-max')).toEqual({ room: 'roomA', group: null, user: 'max' })
  })

  it('splits the room at the first separator; the user (last part) keeps the rest', () => {
    expect(compiled.parse('private-A-b-max')).toEqual({ room: 'A', group: null, user: 'b-max' })
    expect(compiled.parse('private-room1-550e8400-e29b-41d4')).toEqual({
      room: 'room1',
      group: null,
      user: '550e8400-e29b-41d4',
    })
  })

  it('does not take broadcast channels, empty parts or other prefixes as participants', () => {
    for (const name of [
      'private-roomA',
      'private--max',
      'private-roomA-',
      'presence-roomA-max',
      'roomA',
      'private-',
      '',
    ]) {
      expect(compiled.parse(name)).toBeNull()
    }
  })

  it('rejects names Pusher would not allow', () => {
    expect(compiled.parse('private-room A-max')).toBeNull()
    expect(compiled.parse('private-roomA-m/x')).toBeNull()
    expect(compiled.parse(`private-roomA-${'u'.repeat(164)}`)).toBeNull()
    expect(compiled.parse(`private-r-${'u'.repeat(164 - 10)}`)).not.toBeNull()
  })

  it('explains the separator rule with an example read by the real parser', () => {
    expect(compiled.separatorWarning).toContain('Room ids must not contain "-"')
    expect(compiled.separatorWarning).toContain('private-A-b-max is read as room "A", user "b-max"')
    expect(compiled.separatorWarning).toContain('user ids may contain it')
  })
})

describe('templates', () => {
  it('supports a group segment', () => {
    const compiled = compileConvention(template('private-{room}-{group}-{user}'))
    expect(compiled.hasGroup).toBe(true)
    expect(compiled.parse('private-roomA-red-max')).toEqual({ room: 'roomA', group: 'red', user: 'max' })
    expect(compiled.parse('private-roomA-max')).toBeNull()
    expect(compiled.separatorWarning).toContain('Room and group ids must not contain "-"')
  })

  it('supports any order, several-character separators, and a suffix', () => {
    const compiled = compileConvention(template('{user}@@{room}.{group};live'))
    expect(compiled.prefix).toBe('')
    expect(compiled.parse('max@@lobby.red;live')).toEqual({ room: 'lobby', group: 'red', user: 'max' })
    expect(compiled.parse('max@@lobby.red;dead')).toBeNull()
    expect(compiled.parse('max@lobby.red;live')).toBeNull()
    expect(compiled.separatorWarning).toContain('User ids must not contain "@@"')
    expect(compiled.separatorWarning).toContain('room ids must not contain "."')
  })

  it.each([
    ['private-{room}-{member}', 'Unknown placeholder {member}'],
    ['private-{room}', 'needs a {user} placeholder'],
    ['private-{user}', 'needs a {room} placeholder'],
    ['private-{room}{user}', 'need a separator between them'],
    ['private-{room}-{user}-{room}', 'used twice'],
    ['private-{room-{user}', 'Unknown placeholder {room-{user}'],
    ['private-{room}-{user', 'Unclosed "{"'],
    ['private-}{room}-{user}', 'Unexpected "}"'],
    ['private {room}-{user}', 'contains a space'],
    ['privé-{room}-{user}', 'which channel names can'],
    ['private/{room}-{user}', 'contains "/"'],
  ])('rejects %s', (value, message) => {
    expect(compileError(template(value))).toContain(message)
  })

  it('accepts every character Pusher allows as a literal', () => {
    expect(compileConvention(template('aZ09_-=@,.;{room}_{user}')).prefix).toBe('aZ09_-=@,.;')
  })
})

describe('regular expressions', () => {
  it('parses with named groups, anchored to the whole name', () => {
    const compiled = compileConvention(regex('private-(?<room>[^-]+)-(?<user>[^-]+?)(?:-d\\d+)?'))
    expect(compiled.prefix).toBe('private-')
    expect(compiled.separatorWarning).toBeNull()
    expect(compiled.parse('private-roomA-max-d2')).toEqual({ room: 'roomA', group: null, user: 'max' })
    expect(compiled.parse('private-roomA-max')).toEqual({ room: 'roomA', group: null, user: 'max' })
    expect(compiled.parse('xprivate-roomA-max')).toBeNull()
    expect(compiled.parse('private-roomA-max-extra')).toBeNull()
  })

  it('takes an optional group, null when it did not match', () => {
    const compiled = compileConvention(regex('^private-(?<room>\\w+)-(?:(?<group>g\\w+)-)?(?<user>\\w+)$'))
    expect(compiled.hasGroup).toBe(true)
    expect(compiled.parse('private-r1-gred-max')).toEqual({ room: 'r1', group: 'gred', user: 'max' })
    expect(compiled.parse('private-r1-max')).toEqual({ room: 'r1', group: null, user: 'max' })
  })

  it('treats an empty room or user as no match', () => {
    const compiled = compileConvention(regex('private-(?<room>[a-z]*)-(?<user>.*)'))
    expect(compiled.parse('private--max')).toBeNull()
    expect(compiled.explain('private--max').reason).toContain('empty room or user')
  })

  it('still applies Pusher name rules', () => {
    const compiled = compileConvention(regex('(?<room>.+)-(?<user>.+)'))
    expect(compiled.parse('a b-c')).toBeNull()
  })

  it.each([
    ['private-(?<room>[a-z+', 'Invalid regular expression'],
    ['private-(?<room>.+)-(?<name>.+)', 'needs named groups (?<user>…)'],
    ['private-(.+)-(.+)', 'it has none'],
    ['a)|(?<room>b)(?<user>c', 'Invalid regular expression'],
  ])('rejects %s', (pattern, message) => {
    expect(compileError(regex(pattern))).toContain(message)
  })

  it.each([
    ['^private-(?<room>.+)-(?<user>.+)$', 'private-'],
    ['private-(?<room>.+)-(?<user>.+)', 'private-'],
    ['private\\-room\\.(?<room>.+)-(?<user>.+)', 'private-room.'],
    ['private-x?(?<room>.+)-(?<user>.+)', 'private-'],
    ['private-x*(?<room>.+)-(?<user>.+)', 'private-'],
    ['private-x{0,2}(?<room>.+)-(?<user>.+)', 'private-'],
    ['private-a.(?<room>.+)-(?<user>.+)', 'private-a'],
    ['private-\\d(?<room>.+)-(?<user>.+)', 'private-'],
    ['private-[ab](?<room>.+)-(?<user>.+)', 'private-'],
    ['private-(?<room>.+)-(?<user>.+)|presence-(?<x>.+)', ''],
    ['(?<room>.+)-(?<user>.+)', ''],
    ['priv(?:ate)-(?<room>.+)-(?<user>.+)', 'priv'],
  ])('derives a safe literal prefix from %s', (pattern, prefix) => {
    expect(regexLiteralPrefix(pattern)).toBe(prefix)
  })
})

describe('channel names', () => {
  it('follows Pusher rules', () => {
    expect(isValidChannelName('private-aZ09_-=@,.;')).toBe(true)
    expect(isValidChannelName('')).toBe(false)
    expect(isValidChannelName('a'.repeat(164))).toBe(true)
    expect(isValidChannelName('a'.repeat(165))).toBe(false)
    expect(channelNameProblem('a'.repeat(165))).toContain('165 characters')
    expect(channelNameProblem('ab#')).toContain('"#" at position 3')
    expect(channelNameProblem('a\u00e9')).toContain('U+00E9')
    expect(channelNameProblem('')).toContain('empty')
  })
})

describe('previewConvention', () => {
  it('parses samples and says why the others do not match', () => {
    const rows = previewConvention(template('private-{room}-{group}-{user}'), [
      'private-roomA-red-max',
      'private-roomA',
      'private-roomA-max',
      'private--red-max',
      'private-roomA-red-',
      'presence-roomA-red-max',
      'private-room A-red-max',
      `private-roomA-red-${'x'.repeat(200)}`,
    ])
    expect(rows[0]).toEqual({ channel: 'private-roomA-red-max', result: { room: 'roomA', group: 'red', user: 'max' } })
    expect(rows.slice(1).map((row) => [row.result, row.reason])).toEqual([
      [null, 'missing part: no "-" after the room, so no group'],
      [null, 'missing part: no "-" after the group, so no user'],
      [null, 'missing part: the room is empty'],
      [null, 'missing part: the user is empty'],
      [null, 'does not start with "private-"'],
      [null, expect.stringContaining('a space at position 13 is not allowed')],
      [null, expect.stringContaining('Pusher allows at most 164')],
    ])
  })

  it('reports a missing suffix and regex mismatches', () => {
    expect(previewConvention(template('{room}-{user}.x'), ['a-b.y'])[0]?.reason).toBe('does not end with ".x"')
    const compiled = compileConvention(regex('private-(?<room>\\w+)-(?<user>\\w+)'))
    expect(previewConvention(compiled, ['private-a', 'private-a-b'])).toEqual([
      { channel: 'private-a', result: null, reason: 'does not match the pattern' },
      { channel: 'private-a-b', result: { room: 'a', group: null, user: 'b' } },
    ])
  })
})

describe('schemas', () => {
  it('validate the shape', () => {
    expect(NamingConventionSchema.safeParse({ kind: 'template', template: 'private-{room}-{user}' }).success).toBe(true)
    expect(NamingConventionSchema.safeParse({ kind: 'regex', pattern: '(?<room>a)(?<user>b)' }).success).toBe(true)
    expect(NamingConventionSchema.safeParse({ kind: 'template', template: '' }).success).toBe(false)
    expect(NamingConventionSchema.safeParse({ kind: 'glob', template: 'x' }).success).toBe(false)
  })

  it('ValidNamingConventionSchema reports compile errors on the right field', () => {
    const result = ValidNamingConventionSchema.safeParse({ kind: 'template', template: 'private-{room}' })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['template'])
    expect(result.error?.issues[0]?.message).toContain('{user}')
    const bad = ValidNamingConventionSchema.safeParse({ kind: 'regex', pattern: '(' })
    expect(bad.error?.issues[0]?.path).toEqual(['pattern'])
  })
})
