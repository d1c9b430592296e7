// What a user would write instead of `headcount snapshot` (the baseline of `npm run bench:snapshot`):
// the `pusher` SDK's `get`, `JSON.parse` of the whole body, and a Map of Sets of users per room.
//   node scripts/lib/naive-snapshot.mjs URL [PREFIX]
import Pusher from 'pusher'

const [url, prefix = 'private-'] = process.argv.slice(2)
const pusher = Pusher.forURL(url)
const response = await pusher.get({ path: '/channels', params: { filter_by_prefix: prefix } })
const { channels } = JSON.parse(await response.text())
const rooms = new Map()
let unmatched = 0
for (const name of Object.keys(channels)) {
  // private-{room}-{group}-{user}
  const parts = name.split('-')
  if (parts.length !== 4) {
    unmatched++
    continue
  }
  const [, room, , user] = parts
  let users = rooms.get(room)
  if (users === undefined) rooms.set(room, (users = new Set()))
  users.add(user)
}
let total = 0
for (const users of rooms.values()) total += users.size
console.log(JSON.stringify({ rooms: rooms.size, total, unmatched }))
