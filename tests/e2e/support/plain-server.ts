import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A Pusher-compatible server that is not Headcount's emulator, as far as the console can tell: it
 * passes Pusher's HTTP API through to the emulator on `targetPort` and answers 404 to the emulator's own
 * `/emulator/…` endpoints. The broadcaster must treat it like Pusher (ask before sending).
 */
export async function startPlainServer(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((incoming, answer) => {
    if ((incoming.url ?? '').startsWith('/emulator/')) {
      answer.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      return
    }
    const forwarded = request(
      { host: '127.0.0.1', port: targetPort, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (upstream) => {
        answer.writeHead(upstream.statusCode ?? 502, upstream.headers)
        upstream.pipe(answer)
      },
    )
    forwarded.on('error', () => answer.writeHead(502).end())
    incoming.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
