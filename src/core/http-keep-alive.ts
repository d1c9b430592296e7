import type { Server } from 'node:http'

/**
 * How long an idle HTTP connection stays open. Node's default is 5 s: a client whose pool keeps a
 * connection longer (Pusher's webhook sender, a browser, an SDK's keep-alive agent) then writes into a
 * socket the server is closing and gets "socket hang up" or EPIPE. 65 s outlasts the usual 60 s of
 * client pools, as Pusher-scale servers do.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000
/** One second more than the idle window, so a request that starts at its end still gets its headers read. */
export const HEADERS_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS + 1_000

/** Applies both timeouts to a Node HTTP server. */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  server.headersTimeout = HEADERS_TIMEOUT_MS
}
