// The presence engine's public face: the state, its results and its errors.
export { PresenceState, type PresenceStateOptions } from './presence-state.ts'
export { ChannelListFormatError, IngestAbortedError, ServerErrorInBody } from './errors.ts'
export type {
  IngestOptions,
  IngestResult,
  Member,
  MemberRow,
  MembersPage,
  MembersQuery,
  PresenceWebhookEvent,
  RoomSummary,
  WebhookResult,
} from './types.ts'
