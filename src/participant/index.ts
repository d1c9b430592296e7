// headcount/participant: the participant's side of the pattern, for browsers and Node. Pass it a
// pusher-js client; it depends on nothing else.
export {
  joinRoom,
  Participant,
  ParticipantError,
  type ChannelLike,
  type JoinOptions,
  type Listener,
  type ParticipantState,
  type ParticipantStatus,
  type PusherLike,
} from './client.ts'
export { formatCount, UNKNOWN_COUNT, type CountFormat } from './format.ts'
export type { FriendRosterPayload, RoomSummaryPayload } from '../shared/broadcast.ts'
