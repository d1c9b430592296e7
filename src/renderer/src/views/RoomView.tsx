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
import { groupNames, roomFeed, topRooms } from '../store/selectors.ts'

const PICKER_ROOMS = 200

function RoomPicker({ room, onPick }: { room: string; onPick(room: string): void }) {
  const names = useAppStore((state) => topRooms(state.rooms.values(), PICKER_ROOMS).join('\n'))
  const rooms = useAppStore((state) => state.rooms)
  const [text, setText] = useState<string | null>(null)
  const value = text ?? room
  return (
    <form
      className="room-picker"
      aria-label="Choose a room"
      onSubmit={(event) => {
        event.preventDefault()
        if (rooms.has(value.trim())) {
          onPick(value.trim())
          setText(null)
        }
      }}
    >
      <input
        type="text"
        list="room-names"
        aria-label="Room"
        value={value}
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
        {names.split('\n').map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" className="ghost-button">
        Open
      </button>
    </form>
  )
}

function RoomDetail({ room }: { room: string }) {
  const { summary, total, rooms, recentLive } = useAppFields((state) => ({
    summary: state.rooms.get(room),
    total: state.total,
    rooms: state.rooms,
    recentLive: state.recent,
  }))
  const groupOrder = useMemo(() => groupNames(rooms.values()), [rooms])
  const groupKey = groupOrder.join('\n')
  // eslint-disable-next-line react-hooks/exhaustive-deps -- compared by value, so a new Map with the same groups keeps the order object
  const stableGroups = useMemo(() => groupOrder, [groupKey])
  const [search, setSearch] = useState('')
  const [searched, setSearched] = useState('')
  const [chosenUser, setChosenUser] = useState<string | null>(null)
  useEffect(() => {
    const timer = setTimeout(() => setSearched(search.trim()), 200)
    return () => clearTimeout(timer)
  }, [search])
  const version = summary ? `${summary.count}|${Object.entries(summary.groups).join(',')}` : 'empty'
  const participants = useRoomParticipants(room, searched, version)
  const feed = useMemo(
    () => roomFeed(room, [participants.recent, recentLive], 60),
    [room, participants.recent, recentLive],
  )
  const groupCount = Object.keys(summary?.groups ?? {}).length
  return (
    <LiveArea>
      <section className="figures figures-compact" aria-label="Room figures">
        <div className="figure" role="group" aria-label="People in the room">
          <div className="figure-label">People in the room</div>
          <div className="figure-value">{formatCount(summary?.count ?? 0)}</div>
          <div className="figure-detail">{summary ? 'now' : 'empty now'}</div>
        </div>
        <div className="figure" role="group" aria-label="Share of everyone present">
          <div className="figure-label">Share of everyone</div>
          <div className="figure-value">{total ? `${(((summary?.count ?? 0) / total) * 100).toFixed(1)}%` : '—'}</div>
          <div className="figure-detail">of {formatCount(total)} present</div>
        </div>
        <div className="figure" role="group" aria-label="Groups in the room">
          <div className="figure-label">Groups</div>
          <div className="figure-value">{formatCount(groupCount)}</div>
          <div className="figure-detail">{groupCount ? 'subgroups present' : 'no subgroups'}</div>
        </div>
      </section>
      <RoomChart room={room} groupOrder={stableGroups} />
      <div className="room-grid">
        <ParticipantList
          participants={participants}
          search={search}
          searched={searched}
          onSearch={setSearch}
          onChoose={setChosenUser}
          chosen={chosenUser}
        />
        <div className="room-side">
          <GroupBreakdown summary={summary} groupOrder={stableGroups} />
          <FriendsInRoom room={room} user={chosenUser} version={version} />
          <PresenceFeed events={feed} />
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
