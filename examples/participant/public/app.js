// The page: sign in, pick a room, join it with headcount/participant and show what the broadcaster
// sends. pusher-js comes from the classic script tag (window.Pusher); the client is the built ESM.
import { formatCount, joinRoom } from '/lib/participant/index.js'

const $ = (selector) => document.querySelector(selector)
const session = await (await fetch('/session')).json()

/** Shows the user's state, in plain words; text only, never HTML from the network. */
function render(state) {
  const words = {
    joining: 'Joining…',
    joined: 'Joined: you are counted, and you hear the room.',
    failed: `Could not join: ${state.error}`,
    left: 'You left the room.',
  }
  $('[data-testid=status]').textContent = words[state.status]
  $('[data-testid=room-name]').textContent = state.room
  $('[data-testid=count]').textContent = formatCount(state.count, state)
  $('[data-testid=count]').title = state.approx ? `rounded to ${state.precision} significant figures` : 'exact'
  $('[data-testid=as-of]').textContent =
    state.summaryTs === null
      ? state.cacheMiss
        ? 'No count yet: the room has no summary cached.'
        : 'Waiting for the first count…'
      : `As of ${new Date(state.summaryTs).toLocaleTimeString()}${state.groupsComplete ? '' : ' (groups still arriving)'}`
  const list = (selector, items) => {
    const ul = $(selector)
    ul.replaceChildren(
      ...items.map((text) => {
        const li = document.createElement('li')
        li.textContent = text
        return li
      }),
    )
  }
  const groups = Object.entries(state.groups).sort((a, b) => b[1] - a[1])
  $('#groups').hidden = groups.length === 0
  list(
    '[data-testid=groups]',
    groups.map(([group, count]) => `${group}: ${formatCount(count, state)}`),
  )
  list('[data-testid=friends]', state.friends ?? [])
  $('[data-testid=friends-note]').textContent =
    state.friends === null
      ? 'No roster yet: Headcount sends one once it has a friend graph and a friend of yours is here.'
      : state.friends.length === 0
        ? 'None of your friends are here now.'
        : state.friendsComplete
          ? ''
          : 'More of the roster is on its way…'
}

if (session.user === null) {
  $('#signin').hidden = false
  $('#signin').addEventListener('submit', async (event) => {
    event.preventDefault()
    const name = new FormData(event.target).get('name')
    const response = await fetch('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    })
    if (response.ok) location.reload()
    else $('[data-testid=signin-error]').textContent = (await response.json()).error
  })
} else {
  $('#lobby').hidden = false
  $('[data-testid=user]').textContent = session.user
  $('[data-testid=room]').replaceChildren(...session.rooms.map((room) => new Option(room, room)))
  const pusher = new window.Pusher(session.pusher.key, {
    cluster: 'local',
    wsHost: session.pusher.wsHost,
    wsPort: session.pusher.wsPort,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    // The app server signs the user's own channel: the session cookie says who they are.
    channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax' },
  })
  let participant = null
  let stopListening = () => {}
  const leave = () => {
    stopListening()
    participant?.leave()
    participant = null
    $('#leave').disabled = true
  }
  $('#join').addEventListener('submit', (event) => {
    event.preventDefault()
    leave()
    const room = new FormData(event.target).get('room')
    participant = joinRoom({ pusher, room, user: session.user })
    $('#room').hidden = false
    $('#leave').disabled = false
    stopListening = participant.subscribe(render)
  })
  $('#leave').addEventListener('click', () => {
    if (participant !== null) render({ ...participant.state, status: 'left' })
    leave()
  })
  $('#signout').addEventListener('click', async () => {
    leave()
    await fetch('/logout', { method: 'POST' })
    location.reload()
  })
}
