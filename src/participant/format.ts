/**
 * Counts as people should read them: exact counts in full ("1,234"), rounded ones marked as such and
 * shown no finer than they are known ("≈1.2M" for 1,200,000 at two significant figures), unknown as "—".
 */

export interface CountFormat {
  /** The count is rounded (the summary's `approx`). */
  approx?: boolean
  /** Significant figures it was rounded to (the summary's `precision`); 2 when unknown. */
  precision?: number | null
  /** BCP 47 locale for digits and separators; the runtime's default when absent. */
  locale?: string
}

/** What an unknown count shows. */
export const UNKNOWN_COUNT = '—'
const DEFAULT_APPROX_PRECISION = 2
/** Intl's range for significant digits. */
const MAX_SIGNIFICANT_DIGITS = 21

/** A participant state (or any `{approx, precision}`) can be passed as the format. */
export function formatCount(count: number | null | undefined, format: CountFormat = {}): string {
  if (count === null || count === undefined || !Number.isFinite(count)) return UNKNOWN_COUNT
  if (format.approx !== true) return new Intl.NumberFormat(format.locale).format(count)
  const precision = Math.min(
    MAX_SIGNIFICANT_DIGITS,
    Math.max(1, Math.round(format.precision ?? DEFAULT_APPROX_PRECISION)),
  )
  const compact = new Intl.NumberFormat(format.locale, { notation: 'compact', maximumSignificantDigits: precision })
  return `≈${compact.format(count)}`
}
