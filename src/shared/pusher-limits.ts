/**
 * Pusher Channels' limits, each once, with where Pusher states it. The engine, the broadcaster, the
 * emulator and the UI's forms all read them from here. Free of every dependency, like channel-names.ts
 * (which builds the name checks on them), so any layer and the participant client can use it.
 *
 * Sources: Pusher's documentation at https://pusher.com/docs/channels/ (the pages named below), and the
 * official Node server SDK, https://github.com/pusher/pusher-http-node (lib/pusher.js).
 */

/**
 * "Channel names may contain a maximum of 164 characters. This limit includes channel prefixes."
 * https://pusher.com/docs/channels/using_channels/channels/ (the Node SDK only refuses names over 200).
 */
export const MAX_CHANNEL_NAME_LENGTH = 164

/**
 * The characters a channel name may contain: "lower and uppercase letters, numbers and the following
 * punctuation _ - = @ , . ;" (`#` is reserved for Pusher's own channels).
 * https://pusher.com/docs/channels/using_channels/channels/
 */
export const CHANNEL_NAME_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=@,.;'

/**
 * An event's data is "limited to 10KB"; larger data gets HTTP 413.
 * https://pusher.com/docs/channels/library_auth_reference/rest-api/ and
 * https://pusher.com/docs/channels/server_api/http-api/ ("must be smaller than 10kB").
 * The pages don't say whether a kB is 1,000 or 1,024 bytes: this is the larger reading, what the
 * emulator refuses above (it must not refuse what Pusher may accept).
 */
export const MAX_EVENT_DATA_BYTES = 10 * 1024

/**
 * What the broadcaster keeps each event's data under: the smaller reading of "10KB", so its events fit
 * whichever Pusher means (see MAX_EVENT_DATA_BYTES).
 */
export const EVENT_DATA_BUDGET_BYTES = 10_000

/**
 * A WebSocket message (a client event, a subscription) is held to the same 10 KB as event data: the
 * emulator refuses larger frames with `pusher:error`. Pusher documents no separate figure.
 */
export const MAX_WS_MESSAGE_BYTES = MAX_EVENT_DATA_BYTES

/**
 * `POST /batch_events` "Triggers multiple events in a single call (up to 10 per call on the multi-tenant
 * clusters)". https://pusher.com/docs/channels/library_auth_reference/rest-api/
 */
export const MAX_EVENTS_PER_BATCH = 10

/**
 * One `POST /events` goes to an "Array of one or more channel names - limited to 100 channels".
 * https://pusher.com/docs/channels/library_auth_reference/rest-api/ (the Node SDK throws "Can't trigger a
 * message to more than 100 channels").
 */
export const MAX_CHANNELS_PER_TRIGGER = 100

/** Event names of at most 200 characters: the official Node SDK's check (lib/pusher.js). */
export const MAX_EVENT_NAME_LENGTH = 200

/**
 * Presence channels: "100 members maximum, 1KB limit for user object, and maximum 128 characters for
 * user id". https://pusher.com/docs/channels/using_channels/presence-channels/
 */
export const MAX_USER_ID_LENGTH = 128
/** See MAX_USER_ID_LENGTH: the user object (`user_info`) is limited to 1 KB. */
export const MAX_USER_INFO_BYTES = 1024

/**
 * A signed API request's `auth_timestamp` must be within 600 seconds of the server's clock.
 * https://pusher.com/docs/channels/library_auth_reference/rest-api/
 */
export const AUTH_TIMESTAMP_WINDOW_SEC = 600
