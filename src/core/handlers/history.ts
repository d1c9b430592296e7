import type { Series, SeriesQuerySchema } from '../../shared/history.ts'
import type { z } from 'zod'
import type { ConnectionManager } from '../connection-manager.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** What the app looks like now (rooms, a room's members) and over time (series). */
export function historyHandlers(
  context: EngineContext,
): HandlerGroup<
  'rooms.list' | 'room.detail' | 'history.series' | 'history.groups' | 'history.annotations' | 'history.rooms'
> {
  const { connection } = context
  return {
    'rooms.list': () =>
      connection.monitor?.rooms() ?? { at: null, stream: null, seq: 0, total: 0, channels: 0, unmatched: 0, rooms: [] },
    'room.detail': (input) => connection.requireMonitor().roomDetail(input),
    'history.series': (query) => querySeriesInTurns(connection, query),
    'history.groups': (query) => connection.requireHistory().roomGroupSeries(query),
    'history.annotations': ({ from, to }) => connection.requireHistory().annotations(from, to),
    'history.rooms': () => ({
      rooms: connection
        .requireHistory()
        .rooms()
        .map(({ room, count, changedAt }) => ({ room, count, changedAt })),
    }),
  }
}

/**
 * Each series is read in its own turn of the event loop: one 24-hour series costs ~17 ms, so a chart of
 * ten rooms and the total read at once would hold the loop (and the sync) for ~190 ms.
 */
async function querySeriesInTurns(
  connection: ConnectionManager,
  query: z.output<typeof SeriesQuerySchema>,
): Promise<Series[]> {
  const history = connection.requireHistory()
  const series: Series[] = query.includeTotal ? history.querySeries({ ...query, rooms: [], includeTotal: true }) : []
  for (const room of query.rooms) {
    await yieldToEventLoop()
    series.push(...history.querySeries({ ...query, rooms: [room], includeTotal: false }))
  }
  return series
}
