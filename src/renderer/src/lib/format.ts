/**
 * Formatting shared by every view: one locale, tabular-friendly, words an operator reads at a glance.
 * Times of day and dates are time-format.ts's, in the zone the operator chose.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 0 })

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  return integer.format(value)
}

/** 1,234 / 12.3k / 4.5M: for axes and tight cells. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value)
  if (abs >= 1_000_000) return `${oneDecimal.format(value / 1_000_000)}M`
  if (abs >= 10_000) return `${oneDecimal.format(value / 1_000)}k`
  return integer.format(value)
}

export function formatRate(perMinute: number | null): string {
  if (perMinute === null) return '—'
  return perMinute < 10 && perMinute % 1 !== 0 ? oneDecimal.format(perMinute) : integer.format(perMinute)
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000))
  if (seconds < 2) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ago`
  return `${Math.floor(hours / 24)} d ago`
}

/** "45 s", "12 min", "3 h 05 min", "2 d 4 h": how long someone has been present. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return '—'
  return ms < 10 ? `${oneDecimal.format(ms)} ms` : `${integer.format(ms)} ms`
}

/**
 * A published count as participants read it: exact in full ("1,234"), rounded ones compactly with no
 * more figures than are known and marked ("≈1.23M").
 */
export function formatApprox(value: number, precision: number | null): string {
  if (precision === null) return integer.format(value)
  return `≈${new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: precision }).format(value)}`
}

/** Messages a day, compact once large: "950", "12.3k", "90M". */
export function formatPerDay(value: number): string {
  return value >= 10_000 ? formatCompact(value) : formatCount(value)
}
