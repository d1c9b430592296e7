import { downloadChannelList } from '../../core/channels/channel-list-download.ts'
import { ChannelsClient } from '../../core/channels/client.ts'
import { compileSafeConvention } from '../../core/convention-safety.ts'
import { PresenceState } from '../../core/presence/presence-state.ts'
import { oneTryHint, toFailure } from '../../core/channels/errors.ts'
import { ConventionError, type NamingConvention } from '../../shared/naming.ts'
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFromFlags } from '../connection-flags.ts'
import { CommandError, parseCommandArgs, UsageError, type Command } from '../usage.ts'

function conventionFrom(pattern: string | undefined, regex: string | undefined): NamingConvention {
  if (pattern !== undefined && regex !== undefined) throw new UsageError('give --pattern or --regex, not both')
  if (regex !== undefined) return { kind: 'regex', pattern: regex }
  return { kind: 'template', template: pattern ?? 'private-{room}-{user}' }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? []
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n')
}

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'Sync once and print the rooms (a table, or --json)',
  usage: `headcount snapshot [connection] [--pattern TEMPLATE | --regex REGEX] [--json] [--timeout SECONDS]

${CONNECTION_USAGE}

  --pattern TEMPLATE  channel naming template (default private-{room}-{user}; {group} optional)
  --regex REGEX       or a regular expression with named groups room, user and optionally group
  --json              print {"rooms":[{"room","count","groups"}],"total","channels","unmatched","fetchedAt"}
  --timeout SECONDS   give up on the request after this long (default 30)`,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      ...CONNECTION_OPTIONS,
      pattern: { type: 'string' },
      regex: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    })
    const credentials = connectionFromFlags(values, io.env)
    if (!credentials) throw new UsageError('no connection: give --url, the connection flags, or set PUSHER_URL')
    const timeoutSec = values.timeout === undefined ? 30 : Number(values.timeout)
    if (!Number.isFinite(timeoutSec) || timeoutSec <= 0 || timeoutSec > 600)
      throw new UsageError('--timeout must be 1-600 seconds')
    let convention
    try {
      convention = await compileSafeConvention(conventionFrom(values.pattern, values.regex))
    } catch (error) {
      if (error instanceof ConventionError) throw new UsageError(error.message)
      throw error
    }

    const client = new ChannelsClient(credentials, { timeoutMs: timeoutSec * 1000 })
    const presence = new PresenceState(convention)
    const fetchedAt = Date.now()
    let result
    try {
      // Read as it downloads, counts only: the rooms and their counts, with no Member object made for
      // each person present, and the body never whole in memory.
      const downloaded = await downloadChannelList(client, convention.prefix, (body) =>
        presence.ingestChannelList(body, fetchedAt, { listChanges: false }),
      )
      result = downloaded.result
    } catch (error) {
      const failure = toFailure(error, client.endpoint)
      throw new CommandError(`${failure.message}. ${oneTryHint(failure.hint)}`)
    }
    const rooms = [...result.rooms].sort((a, b) => b.count - a.count || a.room.localeCompare(b.room))
    if (values.json) {
      io.out(
        JSON.stringify({
          rooms: rooms.map(({ room, count, groups }) => ({ room, count, groups })),
          total: result.total,
          channels: result.channels,
          unmatched: result.unmatched,
          fetchedAt: new Date(fetchedAt).toISOString(),
        }),
      )
      return 0
    }
    const groupNames = [...new Set(rooms.flatMap((room) => Object.keys(room.groups)))].sort()
    io.out(
      table([
        ['ROOM', 'PEOPLE', ...groupNames.map((group) => group.toUpperCase())],
        ...rooms.map((room) => [
          room.room,
          String(room.count),
          ...groupNames.map((group) => String(room.groups[group] ?? 0)),
        ]),
      ]),
    )
    io.out(
      `${result.total} people in ${rooms.length} rooms; ${result.channels} channels, ${result.unmatched} not matching the convention`,
    )
    return 0
  },
}
