import type { TimeZoneSetting } from '../../../shared/settings.ts'

/**
 * Every time the console shows or reads, in one time zone: this computer's or UTC, as the operator
 * chose in Settings. Nothing else in the renderer formats or parses a wall-clock time, so axes,
 * pickers, readouts and captions always agree, and the zone is named where a range is shown.
 * Files are another matter: CSV exports are always UTC (ISO 8601 with a Z) and say so.
 */
export interface TimeFormat {
  readonly setting: TimeZoneSetting
  /** An IANA zone name ("Europe/Paris"), or "UTC". */
  readonly zone: string
  /** "14:03:07". */
  clock(ms: number): string
  /** "2026-03-04 14:03", or with seconds "2026-03-04 14:03:07". */
  dateTime(ms: number, options?: { seconds?: boolean }): string
  /** An axis tick suited to the span shown: seconds for minutes, hours for a day, dates for a week. */
  axis(ms: number, spanMs: number): string
  /** What a range input holds for a time: "2026-03-04 14:03:07". */
  input(ms: number): string
  /**
   * A range input read back: "now", or a date and a time with optional seconds ("2026-03-04 14:03",
   * "2026-03-04T14:03:07"), in this zone. A time the zone skips (clocks going forward) is refused in
   * words; one it repeats (clocks going back) is the first of the two.
   */
  parse(text: string, now: number): ParsedTime
  /** The zone in words for a caption: "UTC", or "Europe/Paris (UTC+1)" with the offset at `at`. */
  label(at: number): string
  /** How far this zone's clocks are ahead of UTC at `at`, in ms (Paris in winter: 3,600,000). */
  offsetMs(at: number): number
}

export type ParsedTime = { ok: true; ms: number } | { ok: false; error: string }

interface WallTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const DAY_MS = 86_400_000
const pad = (value: number) => String(value).padStart(2, '0')
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Universal', 'Zulu'])

/** How long the computer's zone is taken as read: asking Intl costs tens of µs, and every render asks. */
const SYSTEM_ZONE_TTL_MS = 60_000
let systemZone: { zone: string; readAt: number } | null = null

/**
 * This computer's time zone as the browser reports it (Playwright and the OS can set it), read again
 * at most once a minute: charts, captions and rows ask on every live update.
 */
export function systemTimeZone(): string {
  const now = Date.now()
  if (!systemZone || now - systemZone.readAt >= SYSTEM_ZONE_TTL_MS || now < systemZone.readAt)
    systemZone = { zone: new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', readAt: now }
  return systemZone.zone
}

/** A zone's wall clock for an instant. UTC needs no Intl; other zones read Intl's parts. */
function wallClockReader(zone: string): (ms: number) => WallTime {
  if (zone === 'UTC') {
    return (ms) => {
      const date = new Date(ms)
      return {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
      }
    }
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  return (ms) => {
    const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
    for (const part of parts.formatToParts(ms)) {
      if (part.type in wall) wall[part.type as keyof WallTime] = Number(part.value)
    }
    return wall
  }
}

function wallAsUtc(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second)
}

function sameWall(a: WallTime, b: WallTime): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second
  )
}

function offsetWords(offsetMs: number): string {
  const minutes = Math.round(offsetMs / 60_000)
  const sign = minutes < 0 ? '−' : '+'
  const hours = Math.floor(Math.abs(minutes) / 60)
  const rest = Math.abs(minutes) % 60
  return `UTC${sign}${hours}${rest ? `:${pad(rest)}` : ''}`
}

const INPUT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/

/** A formatter for an IANA zone (or "UTC"); `timeFormat` picks the zone from the setting. */
export function timeFormatForZone(
  zone: string,
  setting: TimeZoneSetting = zone === 'UTC' ? 'utc' : 'local',
): TimeFormat {
  const normalised = UTC_NAMES.has(zone) ? 'UTC' : zone
  const wallOf = wallClockReader(normalised)
  const offsetMs = (at: number) => wallAsUtc(wallOf(at)) - Math.floor(at / 1000) * 1000
  const clock = (wall: WallTime) => `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`
  const date = (wall: WallTime) => `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`

  return {
    setting,
    zone: normalised,
    clock: (ms) => clock(wallOf(ms)),
    dateTime(ms, options = {}) {
      const wall = wallOf(ms)
      return `${date(wall)} ${options.seconds ? clock(wall) : `${pad(wall.hour)}:${pad(wall.minute)}`}`
    },
    axis(ms, spanMs) {
      const wall = wallOf(ms)
      if (spanMs <= 15 * 60_000) return clock(wall)
      if (spanMs <= 36 * 3_600_000) return `${pad(wall.hour)}:${pad(wall.minute)}`
      return `${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}h`
    },
    input: (ms) => {
      const wall = wallOf(ms)
      return `${date(wall)} ${clock(wall)}`
    },
    parse(text, now) {
      const value = text.trim()
      if (value.toLowerCase() === 'now') return { ok: true, ms: now }
      const match = INPUT_PATTERN.exec(value)
      if (!match)
        return { ok: false, error: `"${value}" is not a time: write YYYY-MM-DD HH:MM, with :SS if you like, or now` }
      const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ]
      const wanted: WallTime = { year, month, day, hour, minute, second }
      const asUtc = wallAsUtc(wanted)
      // Date.UTC rolls 2026-02-30 over into March: a date that moved was not a real date.
      if (!sameWall(wallClockReader('UTC')(asUtc), wanted))
        return { ok: false, error: `${value} is not a real date and time` }
      // The zone's offset a day either side of the wall time covers any one change of its clocks.
      const candidates = [asUtc - offsetMs(asUtc - DAY_MS), asUtc - offsetMs(asUtc + DAY_MS)]
        .filter((ms) => sameWall(wallOf(ms), wanted))
        .sort((a, b) => a - b)
      const first = candidates[0]
      if (first === undefined)
        return { ok: false, error: `${value} does not exist in ${normalised}: the clocks skip it` }
      return { ok: true, ms: first }
    },
    label: (at) => (normalised === 'UTC' ? 'UTC' : `${normalised} (${offsetWords(offsetMs(at))})`),
    offsetMs,
  }
}

const cache = new Map<string, TimeFormat>()

/** The formatter for a setting, made once per zone. */
export function timeFormat(setting: TimeZoneSetting, localZone: string = systemTimeZone()): TimeFormat {
  const zone = setting === 'utc' ? 'UTC' : localZone
  const key = `${setting}|${zone}`
  let format = cache.get(key)
  if (!format) {
    format = timeFormatForZone(zone, setting)
    cache.set(key, format)
  }
  return format
}
