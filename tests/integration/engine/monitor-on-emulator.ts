import type { HistoryStore } from '../../../src/core/history/history-store.ts'
import { silentLogger } from '../../../src/core/logger.ts'
import { Monitor } from '../../../src/core/monitor.ts'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { DEFAULT_BROADCAST_SETTINGS } from '../../../src/shared/broadcast.ts'
import { parseConnectionUrl } from '../../../src/shared/connection.ts'
import type { Tick } from '../../../src/shared/presence.ts'
import { DEFAULT_SYNC_OPTIONS } from '../../../src/shared/sync.ts'

/**
 * A monitor on the emulator, reading private-{room}-{user} into `history`, its ticks pushed to `ticks`;
 * it polls once as it starts, then only when asked (the next poll is minutes away).
 */
export function monitorOnEmulator(target: RunningEmulator, history: HistoryStore, ticks: Tick[]): Monitor {
  const credentials = parseConnectionUrl(
    `http://${target.key}:${target.secret}@127.0.0.1:${target.port}/apps/${target.appId}`,
  )
  const { secret: _secret, ...connection } = credentials
  return new Monitor({
    profile: {
      id: 'p',
      name: 'p',
      connection,
      convention: { kind: 'template', template: 'private-{room}-{user}' },
      sync: { ...DEFAULT_SYNC_OPTIONS, mode: 'poll', pollIntervalSec: 300 },
      broadcast: DEFAULT_BROADCAST_SETTINGS,
      alerts: [],
    },
    credentials,
    history,
    logger: silentLogger,
    onTick: (tick) => ticks.push(tick),
    onStatus: () => {},
  })
}
