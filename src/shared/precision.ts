/**
 * Rounding counts to significant figures, as the broadcaster does under a message budget (DESIGN §6):
 * a room of 1,000,003 is published as 1,000,000 with `"approx": true, "precision": 4`, and only sent
 * again when the rounded value changes. Pure, so the engine rounds and the console explains the same way.
 */

/** Rooms below this many people are always exact: one person is a visible share of them. */
export const SMALL_ROOM = 100

/** Never fewer significant figures than this (so every count under 100 stays exact). */
export const MIN_FIGURES = 2

/** Decimal digits of a whole number (0 has one). */
export function digitsOf(value: number): number {
  let digits = 1
  for (let rest = Math.abs(Math.trunc(value)); rest >= 10; rest = Math.floor(rest / 10)) digits++
  return digits
}

/** The rounding step at `figures` significant figures: 1 when the value keeps all its digits. */
export function stepAt(value: number, figures: number): number {
  return 10 ** Math.max(0, digitsOf(value) - figures)
}

/** `value` rounded half up to `figures` significant figures; exact when it has no more digits than that. */
export function roundToFigures(value: number, figures: number): number {
  const step = stepAt(value, figures)
  return step === 1 ? value : Math.floor(value / step + 0.5) * step
}

/** Whether rounding to `figures` may change a value: more digits than figures. */
export function isRoundedAt(value: number, figures: number): boolean {
  return digitsOf(value) > figures
}

/**
 * The most a value shown at `figures` can be off by from rounding alone (half a step; 0 when exact).
 * `null` figures mean exact.
 */
export function roundingError(value: number, figures: number | null): number {
  if (figures === null) return 0
  return Math.floor(stepAt(value, figures) / 2)
}
