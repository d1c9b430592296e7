import { CHANNEL_NAME_CHARACTERS, MAX_CHANNEL_NAME_LENGTH } from './pusher-limits.ts'

/**
 * Pusher's channel-name rules and Headcount's channel templates (`private-{room}-{user}`, `{room}`):
 * pure and free of every dependency, so the participant client can carry them into a browser as they
 * are. The naming convention (naming.ts) and the broadcaster's settings (broadcast.ts) build on them;
 * the limits themselves are in pusher-limits.ts.
 */

/** 1 at the ASCII codes channel names may contain. */
export const CHANNEL_CHAR_ALLOWED = new Uint8Array(128)
for (let i = 0; i < CHANNEL_NAME_CHARACTERS.length; i++) CHANNEL_CHAR_ALLOWED[CHANNEL_NAME_CHARACTERS.charCodeAt(i)] = 1

/** Whether `name` obeys Pusher's channel-name rules (length and characters). */
export function isValidChannelName(name: string): boolean {
  const length = name.length
  if (length === 0 || length > MAX_CHANNEL_NAME_LENGTH) return false
  for (let i = 0; i < length; i++) {
    const code = name.charCodeAt(i)
    if (code >= 128 || CHANNEL_CHAR_ALLOWED[code] === 0) return false
  }
  return true
}

/** Why `name` is not a valid channel name, or null when it is. */
export function channelNameProblem(name: string): string | null {
  if (name.length === 0) return 'invalid channel name: empty'
  if (name.length > MAX_CHANNEL_NAME_LENGTH) {
    return `invalid channel name: ${name.length} characters, Pusher allows at most ${MAX_CHANNEL_NAME_LENGTH}`
  }
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if (code >= 128 || CHANNEL_CHAR_ALLOWED[code] === 0) {
      return `invalid channel name: ${describeChar(name, i)} at position ${i + 1} is not allowed (only A-Z a-z 0-9 _ - = @ , . ;)`
    }
  }
  return null
}

/** A character for a message: quoted when printable, else its code point. */
export function describeChar(text: string, index: number): string {
  const char = String.fromCodePoint(text.codePointAt(index) ?? 0)
  if (char === ' ') return 'a space'
  return /^[\x21-\x7e]$/.test(char)
    ? `"${char}"`
    : `character U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

// ---- channel templates ----------------------------------------------------------------------------

export type Placeholder = 'room' | 'user' | 'group'

/** Why a channel template can't be used, or null. `allowed` lists the placeholders it may use, `required` those it must. */
export function channelTemplateProblem(
  template: string,
  allowed: readonly Placeholder[],
  required: readonly Placeholder[],
): string | null {
  const used = new Set<string>()
  const literal = template.replace(/\{([^{}]*)\}/g, (_match, name: string) => {
    used.add(name)
    return 'x'
  })
  for (const name of used) {
    if (!(allowed as readonly string[]).includes(name)) {
      return `Unknown placeholder {${name}}: use ${allowed.map((part) => `{${part}}`).join(', ')}`
    }
  }
  for (const name of required) if (!used.has(name)) return `The channel template needs a {${name}} placeholder`
  if (/[{}]/.test(literal)) return 'Unbalanced "{" or "}" in the channel template'
  const problem = channelNameProblem(literal)
  if (problem !== null) return `The channel template makes an ${problem}`
  // The server SDK would try to encrypt these, which needs a master key Headcount does not hold.
  if (literal.startsWith('private-encrypted-'))
    return 'Encrypted channels (private-encrypted-…) are not supported for broadcasting'
  return null
}

/** Fills a channel template: `{room}`, `{user}`, `{group}` (a missing group leaves an empty part). */
export function fillChannelTemplate(
  template: string,
  parts: { room: string; user?: string; group?: string | null },
): string {
  return template.replace(/\{(room|user|group)\}/g, (_match, name: Placeholder) =>
    name === 'room' ? parts.room : name === 'user' ? (parts.user ?? '') : (parts.group ?? ''),
  )
}
