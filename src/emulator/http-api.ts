// Pusher's HTTP API under /apps/{app_id}/, plus the emulator-only /emulator/stats endpoints.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkRequestAuth } from './http-auth.ts'
import { parseBatch, parseEvent, parseInfo, parseJsonBody, type Refusal, type TriggerEvent } from './http-validate.ts'
import { channelNameProblem, isCacheChannel } from './limits.ts'
import type { ResolvedOptions } from './options.ts'
import type { AppState } from './state.ts'

/** `GET /emulator/stats?channel=…` reports at most this many channels' deliveries at once. */
const MAX_STATS_CHANNELS = 1000

/** Large enough for a full batch of 10 × 10 KB events with their envelopes. */
const MAX_BODY_BYTES = 1024 * 1024

export interface HttpApiContext {
  options: ResolvedOptions
  state: AppState
  terminateUser(userId: string): void
  stats(top: number, channels: readonly string[]): unknown
  resetStats(): void
}

type Route =
  | { kind: 'events' }
  | { kind: 'batch_events' }
  | { kind: 'channels' }
  | { kind: 'channel'; name: string }
  | { kind: 'users'; name: string }
  | { kind: 'terminate'; userId: string }

const METHODS: Record<Route['kind'], string> = {
  events: 'POST',
  batch_events: 'POST',
  channels: 'GET',
  channel: 'GET',
  users: 'GET',
  terminate: 'POST',
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = 'application/json',
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    ...headers,
  })
  res.end(body)
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  // Pusher answers errors with a plain-text explanation.
  send(res, status, message + '\n', 'text/plain; charset=utf-8', headers)
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

function matchRoute(segments: string[]): Route | null {
  const [first, second, third, fourth] = segments
  if (segments.length === 1 && first === 'events') return { kind: 'events' }
  if (segments.length === 1 && first === 'batch_events') return { kind: 'batch_events' }
  if (segments.length === 1 && first === 'channels') return { kind: 'channels' }
  if (segments.length === 2 && first === 'channels' && second !== undefined) {
    const name = decode(second)
    return name === null ? null : { kind: 'channel', name }
  }
  if (segments.length === 3 && first === 'channels' && second !== undefined && third === 'users') {
    const name = decode(second)
    return name === null ? null : { kind: 'users', name }
  }
  if (
    segments.length === 3 &&
    first === 'users' &&
    second !== undefined &&
    third === 'terminate_connections' &&
    fourth === undefined
  ) {
    const userId = decode(second)
    return userId === null || userId === '' ? null : { kind: 'terminate', userId }
  }
  return null
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooBig = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) tooBig = true
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(null))
  })
}

export function createHttpApi(ctx: HttpApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { options, state } = ctx

  const triggerInfo = (event: TriggerEvent, name: string): Record<string, number> => {
    const attrs: Record<string, number> = {}
    if (event.info === null) return attrs
    const ch = state.channel(name)
    const presence = name.startsWith('presence-')
    if (presence && event.info.has('user_count')) attrs.user_count = ch?.members?.size ?? 0
    if (!presence && event.info.has('subscription_count')) attrs.subscription_count = ch?.subscriptionCount ?? 0
    return attrs
  }

  const deliver = (event: TriggerEvent): void => {
    for (const name of event.channels) {
      state.accounting.published++
      state.trigger(name, event.name, event.data, event.socketId)
    }
  }

  const handleApi = (req: IncomingMessage, res: ServerResponse, route: Route, url: URL, body: string): void => {
    const params = url.searchParams
    const refuse = (refusal: Refusal): void => sendError(res, refusal.status, refusal.message)
    switch (route.kind) {
      case 'events': {
        const json = parseJsonBody(body)
        if (!json.ok) return refuse(json)
        const parsed = parseEvent(json.value, false)
        if (!parsed.ok) return refuse(parsed)
        const event = parsed.value
        // Counts are taken before broadcasting, as Pusher computes them independently of delivery.
        let response = '{}'
        if (event.info !== null) {
          const channels: Record<string, Record<string, number>> = {}
          for (const name of event.channels) channels[name] = triggerInfo(event, name)
          response = JSON.stringify({ channels })
        }
        deliver(event)
        return send(res, 200, response)
      }
      case 'batch_events': {
        const json = parseJsonBody(body)
        if (!json.ok) return refuse(json)
        const parsed = parseBatch(json.value)
        if (!parsed.ok) return refuse(parsed)
        const events = parsed.value
        let response = '{}'
        if (events.some((event) => event.info !== null)) {
          response = JSON.stringify({ batch: events.map((event) => triggerInfo(event, event.channels[0] as string)) })
        }
        for (const event of events) deliver(event)
        return send(res, 200, response)
      }
      case 'channels': {
        const prefix = params.get('filter_by_prefix') ?? ''
        const info = parseInfo(params.get('info') ?? undefined, ['user_count', 'subscription_count'])
        if (!info.ok) return refuse(info)
        const userCount = info.value?.has('user_count') ?? false
        if (userCount && !prefix.startsWith('presence-')) {
          return sendError(
            res,
            400,
            'info=user_count is only allowed when filter_by_prefix limits the request to presence channels (presence-)',
          )
        }
        const subscriptionCount = info.value?.has('subscription_count') ?? false
        return send(res, 200, state.channelsBody(prefix, userCount, subscriptionCount, options.shuffleChannels))
      }
      case 'channel': {
        const problem = channelNameProblem(route.name, true)
        if (problem !== null) return sendError(res, 400, `Invalid channel: ${problem}`)
        const info = parseInfo(params.get('info') ?? undefined, ['user_count', 'subscription_count', 'cache'])
        if (!info.ok) return refuse(info)
        const presence = route.name.startsWith('presence-')
        if (info.value?.has('cache') && !isCacheChannel(route.name)) {
          return sendError(
            res,
            400,
            `info=cache is only available for cache channels (cache-, private-cache-, private-encrypted-cache-, presence-cache-), not '${route.name}'`,
          )
        }
        if (info.value?.has('user_count') && !presence) {
          return sendError(res, 400, `info=user_count is only available for presence channels, not '${route.name}'`)
        }
        if (info.value?.has('subscription_count') && presence) {
          return sendError(res, 400, `info=subscription_count is not available for presence channels; use user_count`)
        }
        const ch = state.channel(route.name)
        const result: Record<string, unknown> = { occupied: ch?.occupied ?? false }
        if (info.value?.has('user_count')) result.user_count = ch?.members?.size ?? 0
        if (info.value?.has('subscription_count')) result.subscription_count = ch?.subscriptionCount ?? 0
        if (info.value?.has('cache')) result.cache = state.cacheInfo(route.name)
        return send(res, 200, JSON.stringify(result))
      }
      case 'users': {
        const problem = channelNameProblem(route.name)
        if (problem !== null) return sendError(res, 400, `Invalid channel: ${problem}`)
        if (!route.name.startsWith('presence-')) {
          return sendError(res, 400, `Users can only be listed for presence channels, not '${route.name}'`)
        }
        const members = state.channel(route.name)?.members
        const users = members ? [...members.keys()].map((id) => ({ id })) : []
        return send(res, 200, JSON.stringify({ users }))
      }
      case 'terminate': {
        ctx.terminateUser(route.userId)
        return send(res, 200, '{}')
      }
    }
  }

  const handleEmulator = (req: IncomingMessage, res: ServerResponse, path: string, url: URL): void => {
    if (path === '/emulator/stats') {
      if (req.method !== 'GET') return sendError(res, 405, 'Use GET', { Allow: 'GET' })
      const top = Number(url.searchParams.get('top') ?? '20')
      const channels = url.searchParams.getAll('channel')
      if (channels.length > MAX_STATS_CHANNELS) {
        return sendError(
          res,
          400,
          `At most ${MAX_STATS_CHANNELS} channel parameters per request, got ${channels.length}`,
        )
      }
      return send(
        res,
        200,
        JSON.stringify(ctx.stats(Number.isInteger(top) && top >= 0 ? Math.min(top, 10_000) : 20, channels)),
      )
    }
    if (path === '/emulator/stats/reset') {
      if (req.method !== 'POST') return sendError(res, 405, 'Use POST', { Allow: 'POST' })
      ctx.resetStats()
      return send(res, 200, '{}')
    }
    return sendError(res, 404, `Not found: ${path}`)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = URL.parse(req.url ?? '/', 'http://emulator.invalid')
    if (url === null) return sendError(res, 400, 'Malformed request URL')
    const rawPath = url.pathname
    if (rawPath.startsWith('/emulator/')) {
      req.resume()
      return handleEmulator(req, res, rawPath, url)
    }
    const segments = rawPath.split('/').slice(1)
    if (segments[0] !== 'apps' || segments.length < 3) {
      req.resume()
      return sendError(res, 404, `Not found: ${rawPath}`)
    }
    const appId = decode(segments[1] ?? '')
    if (appId !== options.appId) {
      req.resume()
      return sendError(res, 404, `Unknown app id '${appId ?? segments[1]}'`)
    }
    const route = matchRoute(segments.slice(2))
    if (route === null) {
      req.resume()
      return sendError(res, 404, `Not found: ${rawPath}`)
    }
    const method = req.method ?? 'GET'
    if (method !== METHODS[route.kind]) {
      req.resume()
      return sendError(res, 405, `Method ${method} is not allowed on ${rawPath}; use ${METHODS[route.kind]}`, {
        Allow: METHODS[route.kind],
      })
    }
    const body = await readBody(req)
    if (body === null) return sendError(res, 413, `Request body is larger than ${MAX_BODY_BYTES} bytes`)
    const decodedPath = decode(rawPath)
    const auth = checkRequestAuth(
      {
        method,
        paths: decodedPath !== null && decodedPath !== rawPath ? [rawPath, decodedPath] : [rawPath],
        params: [...url.searchParams],
        body,
      },
      options.key,
      options.secret,
      Date.now(),
    )
    if (!auth.ok) return sendError(res, auth.status, auth.message)
    handleApi(req, res, route, url, body)
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger.error('emulator HTTP handler failed', error)
      sendError(res, 500, 'Internal emulator error')
    })
  }
}
