import { CHANNEL_CHAR_ALLOWED } from '../../shared/channel-names.ts'
import { parseTemplate, type NamingConvention } from '../../shared/naming.ts'
import { MAX_CHANNEL_NAME_LENGTH } from '../../shared/pusher-limits.ts'

/**
 * A naming convention's parse over the ASCII bytes `bytes[start..end)` of a channel list, without making
 * strings: writes [roomStart, roomEnd, groupStart, groupEnd, userStart, userEnd] into `out` (group -1, -1
 * when absent) and returns true exactly when the convention's `parse` would return a participant.
 */
export type ChannelBytesParser = (bytes: Uint8Array, start: number, end: number, out: Int32Array) => boolean

/**
 * The byte parser of a template convention (see ChannelBytesParser); `null` for a regular expression,
 * whose names are parsed as strings. Splits the way naming.ts's template parse does: every part but the
 * last ends at the first occurrence of the separator after it, and the last takes the rest.
 */
export function compileBytesParser(convention: NamingConvention): ChannelBytesParser | null {
  if (convention.kind !== 'template') return null
  const { literals, parts } = parseTemplate(convention.template)
  const count = parts.length
  const prefixBytes = asciiBytes(literals[0] as string)
  const suffixBytes = asciiBytes(literals[count] as string)
  const separatorBytes = literals.slice(1, count).map(asciiBytes)
  const fixedLength =
    prefixBytes.length + suffixBytes.length + separatorBytes.reduce((sum, s) => sum + s.length, 0) + count
  const roomAt = parts.indexOf('room')
  const groupAt = parts.indexOf('group')
  const userAt = parts.indexOf('user')
  // Reused across calls: the parser never re-enters itself.
  const bounds = new Int32Array(6)
  const prefixLength = prefixBytes.length
  const suffixLength = suffixBytes.length

  const literalsAllowed = [prefixBytes, suffixBytes].every((literal) =>
    literal.every((code) => code < 128 && CHANNEL_CHAR_ALLOWED[code] === 1),
  )
  if (literalsAllowed && separatorBytes.every((separator) => separator.length === 1)) {
    // Separators of one byte (the usual `-`): the parts are split in the same pass that checks the
    // characters, a byte compare each, with no search per separator.
    const separators = Int32Array.from(separatorBytes, (separator) => separator[0] as number)
    const allowed = CHANNEL_CHAR_ALLOWED
    const splits = count - 1
    return (bytes, start, nameEnd, out) => {
      const length = nameEnd - start
      if (length < fixedLength || length > MAX_CHANNEL_NAME_LENGTH) return false
      for (let i = 0; i < prefixLength; i++) if (bytes[start + i] !== prefixBytes[i]) return false
      const end = nameEnd - suffixLength
      for (let i = 0; i < suffixLength; i++) if (bytes[end + i] !== suffixBytes[i]) return false
      // The prefix and suffix are the template's (allowed) characters: only the bytes between them can be refused.
      let part = 0
      let at = start + prefixLength
      let separator = splits > 0 ? (separators[0] as number) : -1
      for (let i = at; i < end; i++) {
        const code = bytes[i] as number
        if (code >= 128 || allowed[code] === 0) return false
        if (code !== separator) continue
        if (i === at) return false
        bounds[part * 2] = at
        bounds[part * 2 + 1] = i
        at = i + 1
        part++
        separator = part < splits ? (separators[part] as number) : -1
      }
      if (part < splits || at >= end) return false
      bounds[splits * 2] = at
      bounds[splits * 2 + 1] = end
      out[0] = bounds[roomAt * 2] as number
      out[1] = bounds[roomAt * 2 + 1] as number
      out[2] = groupAt < 0 ? -1 : (bounds[groupAt * 2] as number)
      out[3] = groupAt < 0 ? -1 : (bounds[groupAt * 2 + 1] as number)
      out[4] = bounds[userAt * 2] as number
      out[5] = bounds[userAt * 2 + 1] as number
      return true
    }
  }

  return (bytes, start, nameEnd, out) => {
    const length = nameEnd - start
    if (length < fixedLength || length > MAX_CHANNEL_NAME_LENGTH) return false
    for (let i = start; i < nameEnd; i++) {
      const code = bytes[i] as number
      if (code >= 128 || CHANNEL_CHAR_ALLOWED[code] === 0) return false
    }
    if (!bytesAt(bytes, start, prefixBytes) || !bytesAt(bytes, nameEnd - suffixBytes.length, suffixBytes)) return false
    const end = nameEnd - suffixBytes.length
    let at = start + prefixBytes.length
    for (let i = 0; i < count - 1; i++) {
      const separator = separatorBytes[i] as Uint8Array
      const found = indexOfBytes(bytes, separator, at, end)
      if (found < 0 || found === at) return false
      bounds[i * 2] = at
      bounds[i * 2 + 1] = found
      at = found + separator.length
    }
    if (at >= end) return false
    bounds[(count - 1) * 2] = at
    bounds[(count - 1) * 2 + 1] = end
    out[0] = bounds[roomAt * 2] as number
    out[1] = bounds[roomAt * 2 + 1] as number
    out[2] = groupAt < 0 ? -1 : (bounds[groupAt * 2] as number)
    out[3] = groupAt < 0 ? -1 : (bounds[groupAt * 2 + 1] as number)
    out[4] = bounds[userAt * 2] as number
    out[5] = bounds[userAt * 2 + 1] as number
    return true
  }
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

function bytesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false
  return true
}

/** First index in [from, end) where `needle` starts and fits before `end`, or -1 (like String#indexOf bounded by end). */
function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number, end: number): number {
  const first = needle[0] as number
  const last = end - needle.length
  for (let i = from; i <= last; i++) {
    if (bytes[i] === first && bytesAt(bytes, i, needle)) return i
  }
  return -1
}
