/**
 * Puts split broadcasts back together: a room summary too big for one event comes as `part` 1…`parts`
 * (same `ts`, each with some of the groups), a long friend roster as `page` 1…`pages`. Pieces of the
 * newest `ts` are gathered until all have arrived; a piece with an older `ts` than one already heard is
 * stale and dropped (Pusher does not promise order across events, and a late joiner may hear a cached
 * old value after a fresh one).
 */

export type Offer<T> =
  /** Older than the newest `ts` heard: ignored. */
  | { kind: 'stale' }
  /** Kept; `complete` once every piece of its `ts` is in, with the pieces in order. */
  | { kind: 'kept'; complete: T[] | null }

export class Assembly<T> {
  #ts: number | null = null
  #total = 0
  #pieces = new Map<number, T>()

  /** The newest `ts` heard, or null. */
  get ts(): number | null {
    return this.#ts
  }

  /** Pieces of the newest `ts` heard so far, in order (some may be missing). */
  get partial(): T[] {
    return [...this.#pieces.entries()].sort((a, b) => a[0] - b[0]).map(([, piece]) => piece)
  }

  /** Offers piece `index` (1-based) of `total` for `ts`. */
  offer(ts: number, index: number, total: number, piece: T): Offer<T> {
    if (this.#ts !== null && ts < this.#ts) return { kind: 'stale' }
    // A newer ts starts over; so does the same ts split differently (a resend after a size change).
    if (this.#ts === null || ts > this.#ts || total !== this.#total) {
      this.#ts = ts
      this.#total = total
      this.#pieces = new Map()
    }
    this.#pieces.set(index, piece)
    if (this.#pieces.size < this.#total) return { kind: 'kept', complete: null }
    const complete: T[] = []
    for (let i = 1; i <= this.#total; i++) complete.push(this.#pieces.get(i) as T)
    return { kind: 'kept', complete }
  }
}
