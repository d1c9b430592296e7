/**
 * RFC 4180 CSV: fields separated by commas, records ended by CRLF, a field quoted when it holds a
 * comma, a quote, CR or LF, with quotes doubled inside.
 *
 * Text cells are also neutralised against formula injection (OWASP "CSV Injection"): a spreadsheet
 * runs a cell that begins with `=`, `+`, `-` or `@` (or a tab or CR, which some strip first) as a
 * formula, and one that begins with `;` can start a new cell where `;` is the list separator, so such
 * a cell gets a leading `'` and is quoted. Room, user and group names come from channel names anyone
 * can create, so they are never trusted, even when they look like numbers (`-3`). Number cells are
 * data, never formulas: they are written as numbers, negative ones included, so a spreadsheet can sum them.
 */
export type CsvValue = string | number | null | undefined

const FORMULA_START = /^[=+\-@\t\r;]/
const NEEDS_QUOTES = /[",\r\n]/

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (FORMULA_START.test(value)) return `"'${value.replaceAll('"', '""')}"`
  if (NEEDS_QUOTES.test(value)) return `"${value.replaceAll('"', '""')}"`
  return value
}

export function csvRecord(values: readonly CsvValue[]): string {
  let line = ''
  for (let i = 0; i < values.length; i += 1) line += (i === 0 ? '' : ',') + csvCell(values[i])
  return `${line}\r\n`
}

/** ISO 8601 in UTC with milliseconds: `2026-01-02T03:04:05.000Z`. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}
