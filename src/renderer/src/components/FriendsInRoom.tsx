import { useEffect } from 'react'
import type { FriendsOf } from '../../../shared/broadcast.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'

/** For the participant chosen in the list: which of their friends are in this room now. */
export function FriendsInRoom({ room, user, version }: { room: string; user: string | null; version: string }) {
  const { answer, loadFriendsOf } = useAppFields((state) => ({
    answer: state.friendsOf,
    loadFriendsOf: state.loadFriendsOf,
  }))
  useEffect(() => {
    if (user) void loadFriendsOf(room, user)
  }, [room, user, loadFriendsOf, version])
  const outcome = answer && answer.room === room && answer.user === user ? answer.outcome : null
  return (
    <section className="panel" aria-label="Friends in this room">
      <header className="panel-header">
        <h2>Friends in this room</h2>
      </header>
      {!user ? (
        <p className="field-hint">
          Choose a participant in the list to see which of their friends are here (from the imported friend graph).
        </p>
      ) : !outcome ? (
        <p className="field-hint">Looking up {user}…</p>
      ) : !outcome.ok ? (
        <p className="field-error" role="alert">
          {outcome.error.message}
        </p>
      ) : (
        <FriendsHere found={outcome.value} />
      )}
    </section>
  )
}

function FriendsHere({ found }: { found: FriendsOf }) {
  return (
    <div className="friends-box">
      <div>
        <span className="mono">{found.user}</span>: {formatCount(found.friends.length)} of {formatCount(found.total)}{' '}
        friends here
      </div>
      {found.friends.length > 0 && (
        <ul className="friend-list" aria-label={`Friends of ${found.user} in this room`}>
          {found.friends.map((friend) => (
            <li key={friend.user}>
              {friend.user}
              {friend.group ? ` · ${friend.group}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
