// An app server as the participant pattern needs one: a real HTTP endpoint signing subscriptions with
// headcount/authorizer, and pusher-js clients that ask it, as a browser would.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import PusherJs from 'pusher-js'
import {
  type AuthorizeResult,
  authorizeHttp,
  createAuthorizer,
  type AuthorizerOptions,
} from '../../../src/authorizer/index.ts'
import type { RunningEmulator } from '../../../src/emulator/index.ts'
import { serverSdk } from '../emulator/helpers.ts'

/** The header standing in for the app's session here (a real app reads its own cookie or token). */
export const USER_HEADER = 'x-test-user'

export interface AppServer {
  url: string
  authUrl: string
  /** Every authorization answered, in order. */
  answers: Array<AuthorizeResult | null>
  close(): Promise<void>
}

export async function startAppServer(
  emulator: RunningEmulator,
  options: Omit<AuthorizerOptions, 'pusher'> = {},
): Promise<AppServer> {
  const authorizer = createAuthorizer({ pusher: serverSdk(emulator), ...options })
  const answers: Array<AuthorizeResult | null> = []
  const handle = authorizeHttp(authorizer, {
    userOf: (req) => {
      const user = req.headers[USER_HEADER]
      return typeof user === 'string' ? user : null
    },
  })
  const server: Server = createServer((req, res) => {
    if (req.url === '/pusher/auth') {
      void handle(req, res).then((answer) => answers.push(answer))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    authUrl: `${url}/pusher/auth`,
    answers,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A pusher-js client authorized by the app server, signed in as `user` (or nobody). */
export function participantSocket(emulator: RunningEmulator, app: AppServer, user: string | null): PusherJs {
  return new PusherJs(emulator.key, {
    cluster: 'x',
    wsHost: '127.0.0.1',
    wsPort: emulator.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      endpoint: app.authUrl,
      transport: 'ajax',
      headers: user === null ? {} : { [USER_HEADER]: user },
    },
  })
}

export type Subscription = { ok: true } | { ok: false; error: { type?: string; status?: number; error?: string } }

/** Subscribes and reports whether the subscription went through, and if not what pusher-js said. */
export function trySubscribe(socket: PusherJs, channelName: string): Promise<Subscription> {
  return new Promise((resolve) => {
    const channel = socket.subscribe(channelName)
    channel.bind('pusher:subscription_succeeded', () => resolve({ ok: true }))
    channel.bind('pusher:subscription_error', (error: { type?: string; status?: number; error?: string }) =>
      resolve({ ok: false, error }),
    )
  })
}
