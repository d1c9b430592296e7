// A minimal app server for the participant's side of the pattern, with no framework: it signs people
// in (a signed cookie stands in for your app's real sessions), authorizes their Pusher subscriptions
// with headcount/authorizer, and serves a page that joins a room with headcount/participant.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Pusher from 'pusher'
import { authorizeHttp, createAuthorizer } from 'headcount/authorizer'

const here = dirname(fileURLToPath(import.meta.url))
const COOKIE = 'example_user'
const USER_ID = /^[A-Za-z0-9_]{1,32}$/

/** The files the page needs, by URL: its own, pusher-js's browser build, and the built participant client. */
function assets() {
  const files = new Map([
    ['/', join(here, 'public', 'index.html')],
    ['/app.js', join(here, 'public', 'app.js')],
    ['/style.css', join(here, 'public', 'style.css')],
    ['/vendor/pusher.min.js', createRequire(import.meta.url).resolve('pusher-js/dist/web/pusher.min.js')],
  ])
  // headcount/participant resolves to out/lib/participant/index.js; it imports its siblings and
  // ../shared/channel-names.js (which reads Pusher's limits from pusher-limits.js), nothing else.
  const lib = dirname(dirname(fileURLToPath(import.meta.resolve('headcount/participant'))))
  for (const name of readdirSync(join(lib, 'participant'))) {
    if (name.endsWith('.js')) files.set(`/lib/participant/${name}`, join(lib, 'participant', name))
  }
  for (const name of ['channel-names.js', 'pusher-limits.js'])
    files.set(`/lib/shared/${name}`, join(lib, 'shared', name))
  return files
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' }

/**
 * @param {{ pusherUrl: string, rooms: string[] }} options  the app's Pusher credentials as a
 *   `http(s)://KEY:SECRET@HOST:PORT/apps/APP_ID` URL, and the rooms to offer
 */
export function createAppServer({ pusherUrl, rooms }) {
  const pusher = Pusher.forURL(pusherUrl)
  const url = new URL(pusherUrl)
  const files = assets()
  const sessionSecret = randomBytes(32)
  const sign = (user) => createHmac('sha256', sessionSecret).update(user).digest('hex')

  /** The signed-in user, from the session cookie, or null. */
  const userOf = (req) => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, value = ''] = part.trim().split('=')
      if (name !== COOKIE) continue
      const [user = '', signature = ''] = value.split('.')
      const expected = sign(user)
      if (USER_ID.test(user) && signature.length === expected.length) {
        if (timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return user
      }
    }
    return null
  }

  // The one line that matters: sign each user's own private-{room}-{user} channel and nothing else's.
  // The room channel is the broadcaster's default, the public {room}, which needs no signature.
  const authorize = authorizeHttp(createAuthorizer({ pusher }), { userOf })

  const csp = [
    "default-src 'self'",
    `connect-src 'self' ws://${url.hostname}:${url.port}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
    res.end(JSON.stringify(body))
  }

  const readJson = async (req) => {
    let text = ''
    for await (const chunk of req) {
      text += chunk
      if (text.length > 1024) throw new Error('too large')
    }
    return JSON.parse(text)
  }

  return createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    try {
      if (path === '/pusher/auth') return void (await authorize(req, res))
      if (path === '/session' && req.method === 'GET') {
        return json(res, 200, {
          user: userOf(req),
          rooms,
          pusher: { key: decodeURIComponent(url.username), wsHost: url.hostname, wsPort: Number(url.port) },
        })
      }
      if (path === '/login' && req.method === 'POST') {
        const { name } = await readJson(req)
        if (typeof name !== 'string' || !USER_ID.test(name)) {
          return json(res, 400, { error: 'A name is 1 to 32 letters, digits or _' })
        }
        const cookie = `${COOKIE}=${name}.${sign(name)}; Path=/; HttpOnly; SameSite=Strict`
        return json(res, 200, { user: name }, { 'Set-Cookie': cookie })
      }
      if (path === '/logout' && req.method === 'POST') {
        return json(
          res,
          200,
          { user: null },
          { 'Set-Cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` },
        )
      }
      if (path === '/favicon.ico') return void res.writeHead(204).end()
      const file = files.get(path)
      if (file !== undefined && req.method === 'GET') {
        const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream'
        res.writeHead(200, {
          'Content-Type': type,
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
        })
        return void res.end(readFileSync(file))
      }
      json(res, 404, { error: `Not found: ${path}` })
    } catch (error) {
      json(res, 400, { error: `Bad request: ${error.message}` })
    }
  })
}
