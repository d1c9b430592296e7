// A validating cursor over JSON bytes: the pieces the channel-list scanner needs (whitespace, strings,
// any value skipped but checked) without building objects. Errors carry the byte offset.
//
// The bytes may be a window onto a body still downloading (see setWindow): then running into the end of
// the window is not an error but NEED_MORE, thrown for the scanner to read on from a point it chose once
// more bytes have come.
import { ChannelListFormatError } from './errors.ts'

export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const COLON = 0x3a
export const COMMA = 0x2c
export const OPEN_BRACE = 0x7b
export const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39

/** Deeper nesting than any Channels response has; bounds recursion on hostile input. */
const MAX_DEPTH = 128

const latin1 = new TextDecoder('latin1')
const utf8 = new TextDecoder('utf-8')

/**
 * Thrown when a step ran into the end of a window whose body goes on: not a malformed body, only one not
 * yet downloaded. One shared object: it carries nothing, and is thrown once per chunk at most.
 */
export const NEED_MORE: unique symbol = Symbol('need more bytes')

export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

function hexValue(code: number): number {
  if (code >= DIGIT_0 && code <= DIGIT_9) return code - DIGIT_0
  const lower = code | 0x20
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10
  return -1
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9
}

export class JsonCursor {
  bytes: Uint8Array
  end: number
  pos = 0
  /** Offset in the whole body of bytes[0], for errors. */
  base = 0
  /** Whether the body ends where the bytes do (else reaching the end throws NEED_MORE). */
  final = true
  /** Decoded bytes of the last string read with decodeStringBytes. */
  scratch = new Uint8Array(256)

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
    this.end = bytes.length
  }

  /** Moves onto the next window of the body: `bytes` start at `base` in it; `final` if the body ends with them. */
  setWindow(bytes: Uint8Array, base: number, final: boolean): void {
    this.bytes = bytes
    this.end = bytes.length
    this.base = base
    this.final = final
    this.pos = 0
  }

  fail(message: string, at = this.pos): never {
    if (at >= this.end) {
      if (!this.final) throw NEED_MORE
      const end = this.base + this.end
      throw new ChannelListFormatError(
        `Malformed channel list: the body ends early at byte ${end} (truncated?); ${message}`,
        end,
      )
    }
    const offset = this.base + at
    throw new ChannelListFormatError(`Malformed channel list at byte ${offset}: ${message}`, offset)
  }

  /** The next byte after whitespace, which must exist: at the end, fails with `what`. */
  peekSure(what: string): number {
    const code = this.peek()
    if (code === -1) this.fail(what)
    return code
  }

  /** Skips whitespace; returns the byte there, or -1 at the end. */
  peek(): number {
    const bytes = this.bytes
    let pos = this.pos
    while (pos < this.end && isWhitespace(bytes[pos] as number)) pos++
    this.pos = pos
    return pos < this.end ? (bytes[pos] as number) : -1
  }

  expect(code: number, what: string): void {
    if (this.peek() !== code) this.fail(`expected ${what}, found ${this.describeHere()}`)
    this.pos++
  }

  describeHere(): string {
    if (this.pos >= this.end) return 'the end of the body'
    const code = this.bytes[this.pos] as number
    return code >= 0x21 && code <= 0x7e
      ? `"${String.fromCharCode(code)}"`
      : `byte 0x${code.toString(16).padStart(2, '0')}`
  }

  /**
   * Decodes the string whose opening quote is at `pos` into `scratch` (UTF-8 bytes, escapes resolved);
   * returns its length and leaves `pos` after the closing quote.
   */
  decodeStringBytes(): number {
    const bytes = this.bytes
    const end = this.end
    let pos = this.pos + 1
    let length = 0
    for (;;) {
      if (pos >= end) this.fail('a string is not closed', pos)
      const code = bytes[pos] as number
      if (code === QUOTE) break
      if (length + 4 > this.scratch.length) this.growScratch()
      if (code === BACKSLASH) {
        pos = this.decodeEscape(pos, length)
        length = this.scratchLength
        continue
      }
      if (code < 0x20) this.fail('a control character inside a string must be escaped', pos)
      this.scratch[length++] = code
      pos++
    }
    this.pos = pos + 1
    return length
  }

  private scratchLength = 0

  /** Decodes the escape at `pos` into scratch at `length`; sets scratchLength, returns the position after it. */
  private decodeEscape(pos: number, length: number): number {
    const bytes = this.bytes
    const scratch = this.scratch
    const next = pos + 1 < this.end ? (bytes[pos + 1] as number) : -1
    let out = -1
    switch (next) {
      case QUOTE:
        out = QUOTE
        break
      case BACKSLASH:
        out = BACKSLASH
        break
      case 0x2f:
        out = 0x2f
        break
      case 0x62:
        out = 0x08
        break
      case 0x66:
        out = 0x0c
        break
      case 0x6e:
        out = 0x0a
        break
      case 0x72:
        out = 0x0d
        break
      case 0x74:
        out = 0x09
        break
      case 0x75: {
        let unit = this.readHex4(pos + 2)
        let after = pos + 6
        // A high surrogate followed by an escaped low one is one code point; a lone one is kept as is,
        // as JSON.parse does, and encoded like any other code unit.
        if (unit >= 0xd800 && unit <= 0xdbff && bytes[after] === BACKSLASH && bytes[after + 1] === 0x75) {
          const low = this.readHex4(after + 2)
          if (low >= 0xdc00 && low <= 0xdfff) {
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
            after += 6
          }
        }
        this.scratchLength = encodeUtf8(unit, scratch, length)
        return after
      }
      default:
        if (next === -1) this.fail('a string is not closed', this.end)
        this.fail(`invalid escape "\\${String.fromCharCode(next)}" in a string`, pos)
    }
    scratch[length] = out
    this.scratchLength = length + 1
    return pos + 2
  }

  private readHex4(at: number): number {
    if (at + 4 > this.end) this.fail('a \\u escape needs four hex digits', this.end)
    let value = 0
    for (let i = 0; i < 4; i++) {
      const digit = hexValue(this.bytes[at + i] as number)
      if (digit < 0) this.fail('a \\u escape needs four hex digits', at + i)
      value = (value << 4) | digit
    }
    return value
  }

  private growScratch(): void {
    const bigger = new Uint8Array(this.scratch.length * 2)
    bigger.set(this.scratch)
    this.scratch = bigger
  }

  /** The string at `pos` as a JS string (for keys and error messages; not the hot path). */
  readString(): string {
    const length = this.decodeStringBytes()
    const bytes = this.scratch.subarray(0, length)
    for (let i = 0; i < length; i++) if ((bytes[i] as number) >= 0x80) return utf8.decode(bytes)
    return latin1.decode(bytes)
  }

  /** Skips (and checks) one JSON value at `pos`; returns its first byte. */
  skipValue(depth = 0): number {
    const code = this.peek()
    switch (code) {
      case QUOTE:
        this.decodeStringBytes()
        return code
      case OPEN_BRACE:
        this.skipObject(depth + 1)
        return code
      case OPEN_BRACKET:
        this.skipArray(depth + 1)
        return code
      case 0x74:
        this.skipWord('true')
        return code
      case 0x66:
        this.skipWord('false')
        return code
      case 0x6e:
        this.skipWord('null')
        return code
      default:
        if (code === MINUS || isDigit(code)) {
          this.skipNumber()
          return code
        }
        return this.fail(`expected a JSON value, found ${this.describeHere()}`)
    }
  }

  /** Skips the object whose `{` is at `pos`. */
  skipObject(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('values are nested too deeply')
    this.pos++
    if (this.peek() === CLOSE_BRACE) {
      this.pos++
      return
    }
    for (;;) {
      if (this.peek() !== QUOTE) this.fail(`expected a property name in double quotes, found ${this.describeHere()}`)
      this.decodeStringBytes()
      this.expect(COLON, '":" after a property name')
      this.skipValue(depth)
      const next = this.peek()
      this.pos++
      if (next === CLOSE_BRACE) return
      if (next !== COMMA)
        this.fail(`expected "," or "}" in an object, found ${this.describeAt(this.pos - 1)}`, this.pos - 1)
    }
  }

  private skipArray(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('values are nested too deeply')
    this.pos++
    if (this.peek() === CLOSE_BRACKET) {
      this.pos++
      return
    }
    for (;;) {
      this.skipValue(depth)
      const next = this.peek()
      this.pos++
      if (next === CLOSE_BRACKET) return
      if (next !== COMMA)
        this.fail(`expected "," or "]" in an array, found ${this.describeAt(this.pos - 1)}`, this.pos - 1)
    }
  }

  describeAt(at: number): string {
    const saved = this.pos
    this.pos = at
    const text = this.describeHere()
    this.pos = saved
    return text
  }

  private skipWord(word: string): void {
    for (let i = 0; i < word.length; i++) {
      if (this.bytes[this.pos + i] !== word.charCodeAt(i))
        this.fail(`expected ${word}`, Math.min(this.pos + i, this.end))
    }
    this.pos += word.length
  }

  /** Skips a number, checking JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  skipNumber(): void {
    const bytes = this.bytes
    const start = this.pos
    let pos = start
    if (bytes[pos] === MINUS) pos++
    if (bytes[pos] === DIGIT_0) pos++
    else if (isDigit(bytes[pos] ?? -1)) while (isDigit(bytes[pos] ?? -1)) pos++
    else this.fail('invalid number', pos)
    if (bytes[pos] === DOT) {
      pos++
      if (!isDigit(bytes[pos] ?? -1)) this.fail('invalid number: digits must follow "."', pos)
      while (isDigit(bytes[pos] ?? -1)) pos++
    }
    if (bytes[pos] === 0x65 || bytes[pos] === 0x45) {
      pos++
      if (bytes[pos] === PLUS || bytes[pos] === MINUS) pos++
      if (!isDigit(bytes[pos] ?? -1)) this.fail('invalid number: digits must follow the exponent', pos)
      while (isDigit(bytes[pos] ?? -1)) pos++
    }
    // A number running to the end of a window may go on in the next chunk.
    if (pos >= this.end && !this.final) this.fail('a number is cut short', pos)
    this.pos = pos
  }

  /** The JSON source of the value at `pos` (checked), for messages. */
  valueSource(): string {
    this.peek()
    const start = this.pos
    this.skipValue()
    return utf8.decode(this.bytes.subarray(start, this.pos))
  }
}

/** Writes one code point (or lone surrogate) as UTF-8 at `at`; returns the new length. */
function encodeUtf8(codePoint: number, out: Uint8Array, at: number): number {
  if (codePoint < 0x80) {
    out[at] = codePoint
    return at + 1
  }
  if (codePoint < 0x800) {
    out[at] = 0xc0 | (codePoint >> 6)
    out[at + 1] = 0x80 | (codePoint & 0x3f)
    return at + 2
  }
  if (codePoint < 0x10000) {
    out[at] = 0xe0 | (codePoint >> 12)
    out[at + 1] = 0x80 | ((codePoint >> 6) & 0x3f)
    out[at + 2] = 0x80 | (codePoint & 0x3f)
    return at + 3
  }
  out[at] = 0xf0 | (codePoint >> 18)
  out[at + 1] = 0x80 | ((codePoint >> 12) & 0x3f)
  out[at + 2] = 0x80 | ((codePoint >> 6) & 0x3f)
  out[at + 3] = 0x80 | (codePoint & 0x3f)
  return at + 4
}
