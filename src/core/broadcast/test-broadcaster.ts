// Broadcaster options its unit tests hold fixed: the usual convention, no friend graph, a server that is
// never reached (each test brings its own sink), nothing logged or reported. Tests spread it and add
// what they vary.
import { compileConvention } from '../../shared/naming.ts'
import { silentLogger } from '../logger.ts'
import type { BroadcasterOptions } from './broadcaster.ts'

export const OFFLINE_OPTIONS = {
  convention: compileConvention({ kind: 'template', template: 'private-{room}-{user}' }),
  graph: null,
  endpoint: 'http://fake',
  timeoutMs: 1000,
  logger: silentLogger,
  onStatus: () => {},
} satisfies Partial<BroadcasterOptions>
