import { useMemo, useRef, useState } from 'react'
import type { RoomSummaryView } from '../../../../shared/presence.ts'
import { useRovingIndex } from '../../hooks/use-roving-index.ts'
import { useAppFields } from '../../hooks/use-store.ts'
import { formatCount } from '../../lib/format.ts'
import { sortRooms } from '../../store/selectors.ts'
import { CHART_ROOM_LIMIT, TOP_ROOMS } from '../../store/slices/ui-slice.ts'

/** Rooms offered at once; a search narrows the rest down. */
const SHOWN = 100

/**
 * Choosing the rooms the overview chart compares: search every room, tick up to twenty (the ones
 * chosen first, even those that have emptied), or go back to the busiest. The list is one tab stop.
 */
export function ChartRoomChooser({ id, onClose }: { id: string; onClose(): void }) {
  const { rooms, synced, chartRooms, toggle, clear } = useAppFields((state) => ({
    rooms: state.rooms,
    synced: state.liveAt !== null,
    chartRooms: state.chartRooms,
    toggle: state.toggleChartRoom,
    clear: state.clearChartRooms,
  }))
  const [search, setSearch] = useState('')
  const needle = search.trim().toLowerCase()
  const options = useMemo(() => {
    const chosen = chartRooms
      .filter((room) => room.toLowerCase().includes(needle))
      .map((room): RoomSummaryView => rooms.get(room) ?? { room, count: 0, groups: {} })
    const others = sortRooms(rooms.values(), { search: needle, sort: 'count', descending: true }).filter(
      (room) => !chartRooms.includes(room.room),
    )
    return { list: [...chosen, ...others.slice(0, SHOWN)], more: Math.max(0, others.length - SHOWN) }
  }, [rooms, chartRooms, needle])
  const listRef = useRef<HTMLUListElement>(null)
  const roving = useRovingIndex(listRef, { count: options.list.length })
  const full = chartRooms.length >= CHART_ROOM_LIMIT

  return (
    <section id={id} className="chart-chooser" aria-label="Rooms on the chart">
      <div className="chooser-head">
        <input
          type="search"
          className="search"
          placeholder="Search rooms"
          aria-label="Search rooms for the chart"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <span className="muted" role="status">
          {chartRooms.length === 0
            ? `None chosen: the chart shows the ${TOP_ROOMS} busiest`
            : `${chartRooms.length} of at most ${CHART_ROOM_LIMIT} chosen${full ? '; clear one to add another' : ''}`}
        </span>
        <button type="button" className="ghost-button" disabled={chartRooms.length === 0} onClick={clear}>
          Show the busiest instead
        </button>
        <button type="button" className="ghost-button" onClick={onClose}>
          Done
        </button>
      </div>
      {options.list.length === 0 ? (
        <p className="chart-message">
          {needle
            ? `No room matches “${search.trim()}”.`
            : synced
              ? 'No occupied rooms.'
              : 'Not known until the first sync.'}
        </p>
      ) : (
        <ul ref={listRef} className="chooser-list" aria-label="Rooms to compare" onKeyDown={roving.onKeyDown}>
          {options.list.map((room, index) => {
            const checked = chartRooms.includes(room.room)
            return (
              <li key={room.room}>
                <label>
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={!checked && full}
                    onChange={() => toggle(room.room)}
                    {...roving.itemProps(index)}
                  />
                  <span className="chooser-room" title={room.room}>
                    {room.room}
                  </span>
                  <span className="chooser-count">{rooms.has(room.room) ? formatCount(room.count) : 'empty now'}</span>
                </label>
              </li>
            )
          })}
        </ul>
      )}
      {options.more > 0 && (
        <p className="muted chooser-more">
          {formatCount(options.more)} more room{options.more === 1 ? '' : 's'}: search to find one.
        </p>
      )}
    </section>
  )
}
