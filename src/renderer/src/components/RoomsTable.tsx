import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { RoomSummaryView } from '../../../shared/presence.ts'
import { useNow } from '../hooks/use-now.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'
import { useAppStore } from '../store/context.tsx'
import { createRoomRowsSelector } from '../store/selectors.ts'
import type { Sparkline as SparklineData } from '../store/slices/history-slice.ts'
import { CHART_ROOM_LIMIT, type RoomSortKey } from '../store/slices/ui-slice.ts'
import { groupColor } from './charts/palette.ts'
import { endingOnLive, Sparkline } from './charts/Sparkline.tsx'
import { useThemeName } from './theme.tsx'
import { VIEW_HEADING_ID } from './ViewFrame.tsx'

export const ROW_HEIGHT = 34
const VISIBLE_ROWS = 12

/**
 * Every room, virtualised: only the rows in view exist in the DOM, so 10,000 rooms cost what 20 do.
 * Rows have a fixed height and numbers are tabular, so live updates never shift the layout.
 */
export function RoomsTable() {
  const theme = useThemeName()
  const selectRows = useMemo(createRoomRowsSelector, [])
  const rows = useAppStore(selectRows)
  // Before the first sync which rooms are occupied is not known: "—", not "no occupied rooms".
  const synced = useAppStore((state) => state.liveAt !== null)
  const { rooms, total, query, sparklines, chartRooms, setQuery, openRoom, togglePin, loadSparklines } = useAppFields(
    (state) => ({
      rooms: state.rooms,
      total: state.total,
      query: state.roomsQuery,
      sparklines: state.sparklines,
      setQuery: state.setRoomsQuery,
      chartRooms: state.chartRooms,
      openRoom: state.openRoom,
      togglePin: state.toggleChartRoom,
      loadSparklines: state.loadSparklines,
    }),
  )
  const pinned = useMemo(() => new Set(chartRooms), [chartRooms])
  const chartFull = chartRooms.length >= CHART_ROOM_LIMIT
  const groups = useAppStore((state) => state.groups)
  const groupKey = groups.join('\n')
  const groupColors = useMemo(
    () => new Map(groupKey.split('\n').map((group, index) => [group, groupColor(theme, group, index)])),
    [groupKey, theme],
  )
  const scrollRef = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(0)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  })
  const items = virtualizer.getVirtualItems()
  const firstVisible = items[0]?.index ?? 0
  const lastVisible = items.at(-1)?.index ?? -1
  const refreshTick = useNow(30_000)

  // Sparklines for the rows in view, once scrolling settles.
  const visibleKey = rows
    .slice(firstVisible, lastVisible + 1)
    .map((row) => row.room)
    .join('\n')
  useEffect(() => {
    if (!visibleKey) return
    const timer = setTimeout(() => void loadSparklines(visibleKey.split('\n')), 200)
    return () => clearTimeout(timer)
  }, [visibleKey, loadSparklines, refreshTick])

  // Opening a room from the keyboard puts the focus on its heading, not on the page's body.
  const openRoomAndFocus = (room: string) => {
    openRoom(room)
    requestAnimationFrame(() => document.getElementById(VIEW_HEADING_ID)?.focus())
  }
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1))
  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index))
    setActive(next)
    virtualizer.scrollToIndex(next, { align: 'auto' })
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus())
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: VISIBLE_ROWS, PageUp: -VISIBLE_ROWS }
    if (event.key in moves) {
      event.preventDefault()
      focusRow(activeIndex + (moves[event.key] ?? 0))
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault()
      focusRow(event.key === 'Home' ? 0 : rows.length - 1)
    } else if (event.key === 'Enter') {
      const row = rows[activeIndex]
      if (row) openRoomAndFocus(row.room)
    } else if (event.key === ' ' || event.key.toLowerCase() === 'p') {
      // Space (or P) pins the room to the chart, as its pin button does.
      event.preventDefault()
      const row = rows[activeIndex]
      if (row) togglePin(row.room)
    }
  }

  const sortButton = (key: RoomSortKey, label: string) => {
    const on = query.sort === key
    return (
      <button
        type="button"
        className="sort-button"
        onClick={() => setQuery(on ? { descending: !query.descending } : { sort: key, descending: key === 'count' })}
        aria-label={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        <span className="sort-mark" aria-hidden="true">
          {on ? (query.descending ? '▼' : '▲') : ''}
        </span>
      </button>
    )
  }
  const ariaSort = (key: RoomSortKey) => (query.sort === key ? (query.descending ? 'descending' : 'ascending') : 'none')

  return (
    <section className="panel rooms-panel" aria-label="Rooms">
      <header className="panel-header">
        <h2>
          Rooms <span className="count-badge">{synced ? formatCount(rows.length) : '—'}</span>
          {query.search && rows.length !== rooms.size && <span className="muted"> of {formatCount(rooms.size)}</span>}
        </h2>
        <input
          type="search"
          className="search"
          placeholder="Search rooms or groups"
          aria-label="Search rooms"
          value={query.search}
          onChange={(event) => setQuery({ search: event.target.value })}
        />
      </header>
      <div className="rooms-table" role="table" aria-label="Rooms by occupancy" aria-rowcount={rows.length + 1}>
        <div className="rooms-row rooms-head" role="row" aria-rowindex={1}>
          <div role="columnheader" aria-sort={ariaSort('room')} className="cell-room">
            {sortButton('room', 'Room')}
          </div>
          <div role="columnheader" aria-sort={ariaSort('count')} className="cell-count">
            {sortButton('count', 'People')}
          </div>
          <div role="columnheader" className="cell-share">
            Share
          </div>
          <div role="columnheader" className="cell-trend">
            Trend, 15 min
          </div>
          <div role="columnheader" className="cell-groups">
            Groups
          </div>
          <div role="columnheader" className="cell-pin">
            <span className="visually-hidden">On the chart</span>
          </div>
        </div>
        <div
          ref={scrollRef}
          className="rooms-scroll"
          role="rowgroup"
          onKeyDown={onKeyDown}
          style={{ height: Math.min(VISIBLE_ROWS, Math.max(4, rows.length)) * ROW_HEIGHT }}
        >
          {rows.length === 0 ? (
            <div className="rooms-empty" role="row">
              <span role="cell">
                {!synced
                  ? 'Not known until the first sync.'
                  : query.search
                    ? `No room matches “${query.search}”.`
                    : 'No occupied rooms.'}
              </span>
            </div>
          ) : (
            <div className="rooms-spacer" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const row = rows[item.index] as RoomSummaryView
                return (
                  <RoomRow
                    key={row.room}
                    index={item.index}
                    top={item.start}
                    row={row}
                    total={total}
                    sparkline={sparklines.get(row.room)}
                    groupColors={groupColors}
                    tabbable={item.index === activeIndex}
                    pinned={pinned.has(row.room)}
                    pinnable={!chartFull}
                    onPin={togglePin}
                    onOpen={openRoom}
                    onFocus={setActive}
                  />
                )
              })}
            </div>
          )}
        </div>
      </div>
    </section>
  )
}

interface RoomRowProps {
  index: number
  top: number
  row: RoomSummaryView
  total: number
  sparkline: SparklineData | undefined
  groupColors: Map<string, string>
  tabbable: boolean
  /** On the overview chart; `pinnable` while the chart has room for another. */
  pinned: boolean
  pinnable: boolean
  onPin(room: string): void
  onOpen(room: string): void
  onFocus(index: number): void
}

const RoomRow = memo(function RoomRow({
  index,
  top,
  row,
  total,
  sparkline,
  groupColors,
  tabbable,
  pinned,
  pinnable,
  onPin,
  onOpen,
  onFocus,
}: RoomRowProps) {
  const share = total > 0 ? row.count / total : 0
  const groups = Object.entries(row.groups).sort((a, b) => b[1] - a[1])
  const trend = useMemo(() => endingOnLive(sparkline?.values, row.count), [sparkline, row.count])
  return (
    <div
      className="rooms-row"
      role="row"
      aria-rowindex={index + 2}
      data-index={index}
      tabIndex={tabbable ? 0 : -1}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onOpen(row.room)}
      onFocus={() => onFocus(index)}
      aria-label={`${row.room}: ${formatCount(row.count)} people${pinned ? ', on the chart' : ''}`}
    >
      <div role="cell" className="cell-room" title={row.room}>
        {row.room}
      </div>
      <div role="cell" className="cell-count">
        {formatCount(row.count)}
      </div>
      <div role="cell" className="cell-share">
        <span className="share-bar" aria-hidden="true">
          <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
        </span>
        <span className="share-text">{(share * 100).toFixed(1)}%</span>
      </div>
      <div role="cell" className="cell-trend">
        <Sparkline values={trend} label={`Trend of ${row.room}`} />
      </div>
      <div
        role="cell"
        className="cell-groups"
        title={groups.map(([group, count]) => `${group} ${formatCount(count)}`).join(' · ') || undefined}
      >
        {groups.length > 0 && (
          <>
            <span className="group-bar" aria-hidden="true">
              {groups.map(([group, count]) => (
                <span
                  key={group}
                  style={{ width: `${(count / Math.max(1, row.count)) * 100}%`, background: groupColors.get(group) }}
                />
              ))}
            </span>
            <span className="group-text">
              {groups.map(([group, count]) => `${group} ${formatCount(count)}`).join(' · ')}
            </span>
          </>
        )}
      </div>
      <div role="cell" className="cell-pin">
        {/* Out of the tab order: the row is the list's one tab stop, and Space pins from it. */}
        <button
          type="button"
          className={pinned ? 'pin-button on' : 'pin-button'}
          tabIndex={-1}
          aria-pressed={pinned}
          disabled={!pinned && !pinnable}
          aria-label={pinned ? `Take ${row.room} off the chart` : `Show ${row.room} on the chart`}
          title={
            pinned
              ? 'On the chart: click (or Space) to take it off'
              : pinnable
                ? 'Show on the chart (Space)'
                : `The chart shows at most ${CHART_ROOM_LIMIT} rooms`
          }
          onClick={(event) => {
            event.stopPropagation()
            onPin(row.room)
          }}
        >
          <svg width={14} height={14} viewBox="0 0 14 14" aria-hidden="true">
            <path d="M2 11 L5 6 L8 8 L12 2" fill="none" stroke="currentColor" strokeWidth={1.6} />
          </svg>
        </button>
      </div>
    </div>
  )
})
