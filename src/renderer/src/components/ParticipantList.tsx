import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef } from 'react'
import { useNow } from '../hooks/use-now.ts'
import type { RoomParticipants } from '../hooks/use-room-participants.ts'
import { formatCount, formatDuration } from '../lib/format.ts'
import { useTimeFormat } from '../hooks/use-time-format.ts'

const ROW_HEIGHT = 30

/** A room's participants: searchable on the engine, virtualised, with when each joined and for how long. */
interface ParticipantListProps {
  participants: RoomParticipants
  search: string
  /** The search the engine was asked (typed text, after a pause). */
  searched: string
  onSearch(search: string): void
  onChoose?(user: string): void
  chosen?: string | null
}

export function ParticipantList({ participants, search, searched, onSearch, onChoose, chosen }: ParticipantListProps) {
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

  return (
    <section className="panel participants-panel" aria-label="Participants">
      <header className="panel-header">
        <h2>
          Participants{' '}
          <span className="count-badge">
            {participants.matching === null ? '…' : formatCount(participants.matching)}
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
          <span role="columnheader">User</span>
          <span role="columnheader">Group</span>
          <span role="columnheader" className="num">
            Joined
          </span>
          <span role="columnheader" className="num">
            Present for
          </span>
        </div>
        <div ref={scrollRef} className="participants-scroll" role="rowgroup">
          {participants.error ? (
            <p className="chart-message" role="alert">
              {participants.error}
            </p>
          ) : count === 0 ? (
            <p className="chart-message">
              {participants.matching === null
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
                    aria-selected={onChoose ? selected : undefined}
                    tabIndex={onChoose && participant ? 0 : undefined}
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
                        <span role="cell" className="num">
                          {time.clock(participant.since)}
                        </span>
                        <span role="cell" className="num">
                          {formatDuration(now - participant.since)}
                        </span>
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
