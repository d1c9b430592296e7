import type { BroadcastStatus } from '../../shared/broadcast.ts'
import { appIdentity, type Credentials } from '../../shared/connection.ts'
import { compileConvention } from '../../shared/naming.ts'
import type { Profile } from '../../shared/profiles.ts'
import type { Logger } from '../logger.ts'
import type { Monitor } from '../monitor.ts'
import { Broadcaster } from './broadcaster.ts'
import type { FriendGraph } from './friend-graph.ts'
import { PusherMarker } from './marker.ts'
import { httpServerProbe } from './server-probe.ts'
import { SpendLedger, spendLedgerPath } from './spend-ledger.ts'

export interface BroadcasterSetup {
  monitor: Monitor
  profile: Profile
  credentials: Credentials
  graph: FriendGraph | null
  /** The data folder: the broadcaster's spend is kept there per profile. */
  dataDir: string
  timeoutMs: number
  logger: Logger
  onStatus(status: BroadcastStatus): void
}

/** A broadcaster reading the monitor's presence state and sending through its Channels client (still off). */
export function createBroadcaster(setup: BroadcasterSetup): Broadcaster {
  const { monitor, profile, credentials, timeoutMs, logger } = setup
  let broadcaster: Broadcaster | null = null
  const marker = new PusherMarker({
    credentials,
    sdk: monitor.client.pusher,
    client: monitor.client,
    endpoint: monitor.client.endpoint,
    timeoutMs,
    logger,
    onChange: () => broadcaster?.markerChanged(),
  })
  broadcaster = new Broadcaster({
    presence: monitor.presence,
    sink: monitor.client,
    marker,
    convention: compileConvention(profile.convention),
    settings: profile.broadcast,
    graph: setup.graph,
    endpoint: monitor.client.endpoint,
    timeoutMs,
    logger,
    onStatus: setup.onStatus,
    ledger: SpendLedger.open(spendLedgerPath(setup.dataDir, profile.id), logger, appIdentity(credentials)),
    probe: httpServerProbe(credentials, monitor.client.endpoint, Math.min(timeoutMs, 5000)),
  })
  return broadcaster
}
