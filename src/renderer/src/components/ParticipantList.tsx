import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import type { ParticipantSort } from '../../../shared/presence.ts'
import { useNow } from '../hooks/use-now.ts'
import type { RoomParticipants } from '../hooks/use-room-participants.ts'
import { formatCount, formatDuration } from '../lib/format.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'

const FIRST_SEEN = 'Already present when Headcount began or resumed watching: joined at this time or before'

const ROW_HEIGHT = 30
const PAGE_ROWS = 12

const COLUMNS: { sort: ParticipantSort; label: string; numeric?: boolean }[] = [
  { sort: 'user', label: 'User' },
  { sort: 'group', label: 'Group' },
  { sort: 'joined', label: 'Joined', numeric: true },
  { sort: 'present', label: 'Present for', numeric: true },
]

/** A room's participants: searchable on the engine, virtualised, with when each joined and for how long. */
interface ParticipantListProps {
  participants: RoomParticipants
  /** False before the first sync: who is there is not known, which is not "nobody". */
  synced: boolean
  search: string
  /** The search the engine was asked (typed text, after a pause). */
  searched: string
  onSearch(search: string): void
  /** The column the engine sorts by (null: the order they arrived in), and which way. */
  sort: ParticipantSort | null
  descending: boolean
  onSort(sort: ParticipantSort | null, descending: boolean): void
  onChoose?(user: string): void
  chosen?: string | null
}

export function ParticipantList({
  participants,
  synced,
  search,
  searched,
  onSearch,
  sort,
  descending,
  onSort,
  onChoose,
  chosen,
}: ParticipantListProps) {
  const now = useNow(5000)
  const time = useTimeFormat()
  const scrollRef = useRef<HTMLDivElement>(null)
  const count = participants.matching ?? 0
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items.at(-1)?.index ?? 0
  const { ensureRows } = participants
  useEffect(() => {
    if (count > 0) ensureRows(first, last)
  }, [first, last, count, ensureRows])

  // One tab stop for the whole list: the arrow keys, Page Up/Down, Home and End move inside it, and
  // scroll the row they reach into view (rows out of view are not in the DOM).
  const [active, setActive] = useState(0)
  const activeIndex = Math.min(active, Math.max(0, count - 1))
  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(count - 1, index))
    setActive(next)
    virtualizer.scrollToIndex(next, { align: 'auto' })
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus())
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: PAGE_ROWS, PageUp: -PAGE_ROWS }
    if (event.key in moves) focusRow(activeIndex + (moves[event.key] ?? 0))
    else if (event.key === 'Home') focusRow(0)
    else if (event.key === 'End') focusRow(count - 1)
    else return
    event.preventDefault()
  }
  // A click on a column sorts by it; again, the other way; a third time, back to arrival order.
  const sortBy = (column: ParticipantSort) => {
    if (sort !== column) onSort(column, column === 'present')
    else if (descending === (column === 'present')) onSort(column, !descending)
    else onSort(null, false)
  }

  return (
    <section className="panel participants-panel" aria-label="Participants">
      <header className="panel-header">
        <h2>
          Participants{' '}
          <span className="count-badge">
            {!synced ? '—' : participants.matching === null ? '…' : formatCount(participants.matching)}
          </span>
        </h2>
        <input
          type="search"
          className="search"
          placeholder="Search users or groups"
          aria-label="Search participants"
          value={search}
          onChange={(event) => onSearch(event.target.value)}
        />
      </header>
      <div className="participants-table" role="table" aria-label="Participants of this room" aria-rowcount={count + 1}>
        <div className="participant-row participant-head" role="row" aria-rowindex={1}>
          {COLUMNS.map((column) => {
            const on = sort === column.sort
            return (
              <span
                key={column.sort}
                role="columnheader"
                className={column.numeric ? 'num' : undefined}
                aria-sort={on ? (descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  className="sort-button"
                  aria-label={`Sort by ${column.label.toLowerCase()}`}
                  onClick={() => sortBy(column.sort)}
                >
                  {column.label}
                  <span className="sort-mark" aria-hidden="true">
                    {on ? (descending ? '▼' : '▲') : ''}
                  </span>
                </button>
              </span>
            )
          })}
        </div>
        <div ref={scrollRef} className="participants-scroll" role="rowgroup" onKeyDown={onKeyDown}>
          {participants.error ? (
            <p className="chart-message" role="alert">
              {participants.error}
            </p>
          ) : count === 0 ? (
            <p className="chart-message">
              {!synced
                ? 'Who is here is not known until the first sync.'
                : participants.matching === null
                  ? 'Loading…'
                  : searched
                    ? `Nobody matches “${searched}”.`
                    : 'Nobody is here.'}
            </p>
          ) : (
            <div className="rooms-spacer" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const participant = participants.participantAt(item.index)
                const selected = participant !== undefined && participant.user === chosen
                return (
                  <div
                    key={item.index}
                    className={selected ? 'participant-row selected' : 'participant-row'}
                    role="row"
                    aria-rowindex={item.index + 2}
                    data-index={item.index}
                    aria-selected={onChoose ? selected : undefined}
                    tabIndex={item.index === activeIndex ? 0 : -1}
                    onFocus={() => setActive(item.index)}
                    style={{ transform: `translateY(${item.start}px)` }}
                    onClick={() => participant && onChoose?.(participant.user)}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter' && participant) onChoose?.(participant.user)
                    }}
                  >
                    {participant ? (
                      <>
                        <span role="cell" className="mono-cell" title={participant.user}>
                          {participant.user}
                        </span>
                        <span role="cell">{participant.group ?? '—'}</span>
                        {participant.sinceExact ? (
                          <>
                            <span role="cell" className="num">
                              {time.clock(participant.since)}
                            </span>
                            <span role="cell" className="num">
                              {formatDuration(now - participant.since)}
                            </span>
                          </>
                        ) : (
                          // First seen when Headcount began or resumed watching: they may have joined earlier.
                          <>
                            <span role="cell" className="num" title={FIRST_SEEN}>
                              by {time.clock(participant.since)}
                            </span>
                            <span role="cell" className="num" title={FIRST_SEEN}>
                              ≥ {formatDuration(now - participant.since)}
                            </span>
                          </>
                        )}
                      </>
                    ) : (
                      <span role="cell" className="muted">
                        …
                      </span>
                    )}
                  </div>
                )
              })}
            </div>
          )}
        </div>
      </div>
    </section>
  )
}
