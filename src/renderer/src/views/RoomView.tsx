import { useEffect, useMemo, useState } from 'react'
import { FriendsInRoom } from '../components/FriendsInRoom.tsx'
import { GroupBreakdown } from '../components/GroupBreakdown.tsx'
import { LiveArea } from '../components/LiveArea.tsx'
import { NotConnected } from '../components/NotConnected.tsx'
import { ParticipantList } from '../components/ParticipantList.tsx'
import { PresenceFeed } from '../components/PresenceFeed.tsx'
import { RoomChart } from '../components/RoomChart.tsx'
import { ViewFrame } from '../components/ViewFrame.tsx'
import { useRoomParticipants } from '../hooks/use-room-participants.ts'
import { useAppFields } from '../hooks/use-store.ts'
import { formatCount } from '../lib/format.ts'
import { useAppStore } from '../store/context.tsx'
import { lastEventAt, roomFeed, topRooms } from '../store/selectors.ts'
import { naturalCompare } from '../../../shared/natural-sort.ts'

const PICKER_ROOMS = 200
/** Joins and leaves the feed lists at most. */
const FEED_LIMIT = 500

/**
 * Opening a room by name: the busiest rooms are offered (in name order, room2 before room10, with
 * their counts) and narrowed as one types; a name that is not occupied now still opens, to say so and
 * show the history it has.
 */
function RoomPicker({ room, onPick }: { room: string; onPick(room: string): void }) {
  const names = useAppStore((state) => topRooms(state.rooms.values(), PICKER_ROOMS).join('\n'))
  const rooms = useAppStore((state) => state.rooms)
  const offered = useMemo(() => (names ? names.split('\n').sort(naturalCompare) : []), [names])
  const [text, setText] = useState<string | null>(null)
  const value = text ?? room
  return (
    <form
      className="room-picker"
      aria-label="Choose a room"
      onSubmit={(event) => {
        event.preventDefault()
        const name = value.trim()
        if (name) {
          onPick(name)
          setText(null)
        }
      }}
    >
      <input
        type="text"
        list="room-names"
        aria-label="Room"
        value={value}
        maxLength={200}
        onChange={(event) => {
          setText(event.target.value)
          if (rooms.has(event.target.value)) {
            onPick(event.target.value)
            setText(null)
          }
        }}
        onFocus={(event) => event.target.select()}
      />
      <datalist id="room-names">
        {offered.map((name) => (
          <option key={name} value={name}>
            {`${formatCount(rooms.get(name)?.count ?? 0)} people`}
          </option>
        ))}
      </datalist>
      <button type="submit" className="ghost-button">
        Open
      </button>
    </form>
  )
}

function RoomDetail({ room }: { room: string }) {
  const { live, synced, total, recentLive, query, setQuery } = useAppFields((state) => ({
    live: state.rooms.get(room),
    // Before the first sync nobody's presence is known: "—", not an empty room.
    synced: state.liveAt !== null,
    total: state.total,
    recentLive: state.recent,
    query: state.participantsQuery,
    setQuery: state.setParticipantsQuery,
  }))
  // A new array only when a group appears, so the chart's colours stay put.
  const stableGroups = useAppStore((state) => state.groups)
  // What is typed shows at once; the engine is asked (and the URL written) after a pause.
  const [typed, setTyped] = useState<string | null>(null)
  const search = typed ?? query.search
  useEffect(() => {
    if (typed === null) return
    const timer = setTimeout(() => {
      setQuery({ search: typed.trim() })
      setTyped(null)
    }, 200)
    return () => clearTimeout(timer)
  }, [typed, setQuery])
  const searched = query.search
  const [chosenUser, setChosenUser] = useState<string | null>(null)
  // Who is in the room can change while its counts don't (one leaves as another of the same group
  // arrives): a join or leave listed for it, or a tick that didn't list all of its own, asks again.
  const lastEvent = useAppStore((state) => lastEventAt(state.recent, room))
  const unlistedAt = useAppStore((state) => state.unlistedAt)
  const counts = live ? `${live.count}|${Object.entries(live.groups).join(',')}` : 'empty'
  const version = `${counts}|${lastEvent ?? ''}|${unlistedAt ?? ''}`
  const participants = useRoomParticipants(room, searched, version, query)
  // The figures and the list say the same count: both from the engine's answer for the list (it
  // follows each change within a second), the live one only until that answer arrives.
  const summary = participants.matching === null ? live : (participants.summary ?? undefined)
  const feed = useMemo(
    () => roomFeed(room, [participants.recent, recentLive], FEED_LIMIT),
    [room, participants.recent, recentLive],
  )
  const groupCount = Object.keys(summary?.groups ?? {}).length
  return (
    <LiveArea>
      {synced && !live && (
        <p className="notice" role="status">
          Nobody is in {room} now. Its history, if it had any, is in the chart below.
        </p>
      )}
      <section className="figures figures-compact" aria-label="Room figures">
        <div className="figure" role="group" aria-label="People in the room">
          <div className="figure-label">People in the room</div>
          <div className="figure-value">{synced ? formatCount(summary?.count ?? 0) : '—'}</div>
          <div className="figure-detail">{synced ? (summary ? 'now' : 'empty now') : 'not synced yet'}</div>
        </div>
        <div className="figure" role="group" aria-label="Share of everyone present">
          <div className="figure-label">Share of everyone</div>
          <div className="figure-value">
            {synced && total ? `${(((summary?.count ?? 0) / total) * 100).toFixed(1)}%` : '—'}
          </div>
          <div className="figure-detail">{synced ? `of ${formatCount(total)} present` : 'not synced yet'}</div>
        </div>
        <div className="figure" role="group" aria-label="Groups in the room">
          <div className="figure-label">Groups</div>
          <div className="figure-value">{synced ? formatCount(groupCount) : '—'}</div>
          <div className="figure-detail">
            {synced ? (groupCount ? 'subgroups present' : 'no subgroups') : 'not synced yet'}
          </div>
        </div>
      </section>
      <PresenceFeed events={feed} limit={FEED_LIMIT} since={participants.recentSince} />
      <RoomChart room={room} groupOrder={stableGroups} />
      <div className="room-grid">
        <ParticipantList
          participants={participants}
          synced={synced}
          search={search}
          searched={searched}
          onSearch={setTyped}
          sort={query.sort}
          descending={query.descending}
          onSort={(sort, descending) => setQuery({ sort, descending })}
          onChoose={setChosenUser}
          chosen={chosenUser}
        />
        <div className="room-side">
          <GroupBreakdown summary={summary} synced={synced} groupOrder={stableGroups} />
          <FriendsInRoom room={room} user={chosenUser} version={version} />
        </div>
      </div>
    </LiveArea>
  )
}

export function RoomView() {
  const { profileId, selected, busiest, openRoom, navigate } = useAppFields((state) => ({
    profileId: state.status?.profileId ?? null,
    selected: state.selectedRoom,
    busiest: topRooms(state.rooms.values(), 1)[0] ?? null,
    openRoom: state.openRoom,
    navigate: state.navigate,
  }))
  const room = selected ?? busiest
  return (
    <ViewFrame
      title="Rooms"
      heading={room ? `Room ${room}` : 'Rooms'}
      description={
        room
          ? `Who is in ${room}, by group, and who came and went.`
          : 'Every room with its participants, subgroups and recent joins and leaves.'
      }
      actions={
        room && (
          <>
            <button type="button" className="ghost-button" onClick={() => navigate('overview')}>
              All rooms
            </button>
            <RoomPicker room={room} onPick={openRoom} />
          </>
        )
      }
    >
      {profileId === null ? (
        <NotConnected what="Rooms and their participants" />
      ) : room === null ? (
        <div className="empty-state">
          <h3>No occupied rooms</h3>
          <p>Rooms appear here as soon as someone subscribes to a channel that matches the naming convention.</p>
        </div>
      ) : (
        <RoomDetail key={room} room={room} />
      )}
    </ViewFrame>
  )
}
