import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authorizer, AuthorizeResult } from './authorizer.ts'

/**
 * The authorizer as an HTTP endpoint, for Node's http server and for express-style (req, res) handlers:
 * reads what pusher-js posts (`socket_id`, `channel_name`, form-encoded by default, or JSON), asks the
 * app who is signed in, and answers pusher-js's JSON or a refusal with its reason.
 */

/** pusher-js posts two short fields; anything much bigger is not an authorization request. */
export const MAX_AUTH_BODY_BYTES = 4096

export interface HttpAuthorizeOptions {
  /** Who is signed in on this request, from the app's own session (cookie, token…); null when nobody. */
  userOf: (req: IncomingMessage) => string | null | undefined | Promise<string | null | undefined>
}

type Fields = { socketId: unknown; channelName: unknown }

class BodyError extends Error {
  readonly status: 400 | 413
  constructor(status: 400 | 413, message: string) {
    super(message)
    this.status = status
  }
}

function fieldsOf(body: unknown, contentType: string): Fields {
  if (typeof body === 'string') {
    if (contentType.includes('application/json')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        throw new BodyError(400, 'The body is not valid JSON')
      }
      return fieldsOf(parsed, '')
    }
    const form = new URLSearchParams(body)
    return { socketId: form.get('socket_id') ?? undefined, channelName: form.get('channel_name') ?? undefined }
  }
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>
    return { socketId: record.socket_id, channelName: record.channel_name }
  }
  return { socketId: undefined, channelName: undefined }
}

async function readBody(req: IncomingMessage): Promise<string> {
  // Already read as text by a body parser (express.text): use it.
  const parsed = (req as IncomingMessage & { body?: unknown }).body
  if (typeof parsed === 'string') return parsed
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_AUTH_BODY_BYTES) throw new BodyError(413, `The body is over ${MAX_AUTH_BODY_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
}

/** Handles one authorization request; resolves once answered. Never throws: failures answer 500. */
export function authorizeHttp(
  authorizer: Authorizer,
  options: HttpAuthorizeOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<AuthorizeResult | null> {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      reply(res, 405, { error: 'Use POST, as pusher-js does' })
      return null
    }
    try {
      const contentType = String(req.headers['content-type'] ?? '')
      // Already parsed by a body parser (express.urlencoded / express.json): use what it found.
      const parsedBody = (req as IncomingMessage & { body?: unknown }).body
      const fields =
        typeof parsedBody === 'object' && parsedBody !== null
          ? fieldsOf(parsedBody, '')
          : fieldsOf(await readBody(req), contentType)
      const user = await options.userOf(req)
      const result = await authorizer.authorize({ user, ...fields })
      if (result.ok) reply(res, 200, result.body)
      else reply(res, result.status, { error: result.reason })
      return result
    } catch (error) {
      if (error instanceof BodyError) reply(res, error.status, { error: error.message })
      else reply(res, 500, { error: `Authorization failed: ${(error as Error).message}` })
      return null
    }
  }
}
