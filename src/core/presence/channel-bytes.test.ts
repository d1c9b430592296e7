import { describe, expect, it } from 'vitest'
import {
  compileConvention,
  DEFAULT_CONVENTION,
  type NamingConvention,
  type ParsedChannel,
} from '../../shared/naming.ts'
import { seededRandom } from '../../shared/seeded-random.ts'
import { compileBytesParser } from './channel-bytes.ts'

const template = (value: string): NamingConvention => ({ kind: 'template', template: value })

/** The name between braces, as it sits in a body, parsed from its bytes and read back as strings. */
function parseViaBytes(convention: NamingConvention, name: string): ParsedChannel | null {
  const parseBytes = compileBytesParser(convention)
  if (parseBytes === null) throw new Error('no byte parser')
  const bytes = new Uint8Array([0x7b, ...[...name].map((c) => c.charCodeAt(0) & 0xff), 0x7d])
  const out = new Int32Array(6)
  if (!parseBytes(bytes, 1, bytes.length - 1, out)) return null
  const text = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to))
  return {
    room: text(out[0]!, out[1]!),
    group: out[2]! < 0 ? null : text(out[2]!, out[3]!),
    user: text(out[4]!, out[5]!),
  }
}

describe('the byte parser of a template', () => {
  it("parses a channel list's bytes exactly as the convention parses strings", () => {
    const conventions = [
      DEFAULT_CONVENTION,
      template('private-{room}-{group}-{user}'),
      template('{user}@@{room}.{group};live'),
      template('p-{room}--{user}-x'),
    ]
    const names = [
      'private-roomA-max',
      'private-A-b-max',
      'private-roomA',
      'private--max',
      'private-roomA-',
      'private-roomA-red-max',
      'private-a-b-c-d',
      'max@@lobby.red;live',
      'max@@@lobby..red;live',
      '@@lobby.red;live',
      'p-room--user-x',
      'p-room--user--x',
      'p-room---x',
      'p-room--x',
      'p-r--u-',
      'private-room A-max',
      `private-roomA-${'u'.repeat(160)}`,
      'private-roomé-max',
    ]
    for (const convention of conventions) {
      const compiled = compileConvention(convention)
      for (const name of names)
        expect(parseViaBytes(convention, name), `${JSON.stringify(convention)} ${name}`).toEqual(compiled.parse(name))
    }
  })

  it('parses random names exactly as the convention does, with one-byte separators and several bytes', () => {
    const random = seededRandom(21)
    const templates = [
      'private-{room}-{user}',
      'private-{room}-{group}-{user}',
      '{user}.{room}',
      'x{room}_{user}-{group}y',
      'presence-{group}={room}=={user}',
    ]
    // Separator and literal characters, others channel names allow, and some they do not.
    const alphabet = ['-', '-', '-', '.', '_', '=', 'x', 'y', 'a', 'b', '1', ' ', 'é', '*', '@']
    for (const text of templates) {
      const convention = template(text)
      const compiled = compileConvention(convention)
      let participants = 0
      for (let i = 0; i < 3000; i++) {
        const piece = (): string => {
          let text = ''
          const length = Math.floor(random() * 6)
          for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)] as string
          return text
        }
        // Mostly the template with random parts (which may hold separators, or be empty), else anything.
        const name = random() < 0.7 ? text.replace(/\{(room|group|user)\}/g, piece) : `private-${piece()}${piece()}`
        const expected = compiled.parse(name)
        if (expected !== null) participants++
        expect(parseViaBytes(convention, name), `${JSON.stringify(convention)} ${name}`).toEqual(expected)
      }
      expect(participants).toBeGreaterThan(100)
    }
  })

  it('does not exist for a regular expression: its names are parsed as strings', () => {
    expect(compileBytesParser({ kind: 'regex', pattern: 'private-(?<room>[^-]+)-(?<user>[^-]+)' })).toBeNull()
  })
})
