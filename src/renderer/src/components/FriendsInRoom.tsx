import { useEffect, useState } from 'react'
import type { FriendsOf } from '../../../shared/broadcast.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'

/** For the participant chosen in the list: which of their friends are in this room now. */
export function FriendsInRoom({ room, user, version }: { room: string; user: string | null; version: string }) {
  const request = useAppFields((state) => ({ request: state.request })).request
  const [answer, setAnswer] = useState<{ key: string; value: FriendsOf | { error: string } } | null>(null)
  const key = `${room}\n${user ?? ''}`
  useEffect(() => {
    if (!user) return
    let live = true
    void request('friends.of', { room, user }).then((outcome) => {
      if (live) setAnswer({ key: `${room}\n${user}`, value: outcome.ok ? outcome.value : { error: outcome.error } })
    })
    return () => {
      live = false
    }
  }, [room, user, request, version])
  const shown = answer?.key === key ? answer.value : null
  return (
    <section className="panel" aria-label="Friends in this room">
      <header className="panel-header">
        <h2>Friends in this room</h2>
      </header>
      {!user ? (
        <p className="field-hint">
          Choose a participant in the list to see which of their friends are here (from the imported friend graph).
        </p>
      ) : !shown ? (
        <p className="field-hint">Looking up {user}…</p>
      ) : 'error' in shown ? (
        <p className="field-error" role="alert">
          {shown.error}
        </p>
      ) : (
        <div className="friends-box">
          <div>
            <span className="mono">{shown.user}</span>: {formatCount(shown.friends.length)} of{' '}
            {formatCount(shown.total)} friends here
          </div>
          {shown.friends.length > 0 && (
            <ul className="friend-list" aria-label={`Friends of ${shown.user} in this room`}>
              {shown.friends.map((friend) => (
                <li key={friend.user}>
                  {friend.user}
                  {friend.group ? ` · ${friend.group}` : ''}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  )
}
