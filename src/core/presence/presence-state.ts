// Who is present: rooms → groups → users, kept from successive channel-list snapshots and from
// channel_occupied / channel_vacated webhooks, with the joins and leaves each one brings.
//
// Ordering rule shared by both sources: every channel remembers when it last changed (`stamp`). News
// older than that changes nothing: a snapshot taken at `at` does not remove a channel that a webhook
// reported occupied after `at`, nor revive one vacated after `at`; a webhook older than the last
// snapshot cannot add a channel the snapshot did not list. Pass as `at` the time the request was SENT:
// the server's list is at least that fresh.
import { Buffer } from 'node:buffer'
import type { CompiledConvention } from '../../shared/naming.ts'
import { yieldToEventLoop } from '../event-loop.ts'
import { hashBytes } from './byte-table.ts'
import { ALIVE, ChannelTable, DEAD, FREE, PENDING } from './channel-table.ts'
import { compileBytesParser, type ChannelBytesParser } from './channel-bytes.ts'
import { ChannelListScan, type ChunkSource, type ScanOutcome, type ScanPacing } from './channel-list-scan.ts'
import { IngestAbortedError, ServerErrorInBody } from './errors.ts'
import { JoinedMemberList } from './joined-members.ts'
import { MemberStore } from './member-store.ts'
import type {
  IngestOptions,
  IngestResult,
  JoinedMembers,
  Member,
  MembersPage,
  MembersQuery,
  PresenceWebhookEvent,
  RoomSummary,
  WebhookResult,
} from './types.ts'

/** Longest stretch of work between two yields to the event loop. */
const SLICE_MS = 8
/** Entries visited between two looks at the clock in the whole-table loops. */
const SWEEP_BATCH = 2048
/** How long a vacated channel is remembered in webhook-only mode, to recognise late, out-of-order events. */
const TOMBSTONE_MS = 60_000
/** Tombstones dropped per webhook batch at most, so a batch never stalls the loop. */
const WEBHOOK_PURGE_LIMIT = 10_000

/** Entry ids with an optional prepared Member object each. */
class EntryList {
  entries: Int32Array<ArrayBuffer>
  objects: Array<Member | null> = []
  count = 0

  constructor(capacity = 1024) {
    this.entries = new Int32Array(Math.max(1, capacity))
  }

  push(entry: number, object: Member | null): void {
    if (this.count === this.entries.length) {
      const bigger = new Int32Array(this.count * 2)
      bigger.set(this.entries)
      this.entries = bigger
    }
    this.entries[this.count] = entry
    if (object !== null || this.objects.length > 0) this.objects[this.count] = object
    this.count++
  }
}

/** An activation pass of a snapshot's commit (see activateRange): what it is told, and what it counts. */
interface Activation {
  generation: number
  at: number
  /** Where joins go as member ids, or null. */
  joined: EntryList | null
  /** Where joins go as objects when not as ids; null when the commit has them prepared already. */
  joins: Member[] | null
  alive: number
  unmatched: number
  joinCount: number
}

/** A body to ingest (whole, or a chunk at a time as it downloads), until the scan takes it. */
interface BodySource {
  body: Uint8Array | ChunkSource | null
}

/** Which changes are listed as Member objects: joins not listed are read lazily (JoinedMembers). */
interface ChangeLists {
  joins: boolean
  leaves: boolean
}

interface Changes {
  joins: Member[]
  leaves: Member[]
  joinCount: number
  leaveCount: number
  /** Joins not listed: the members that joined, read lazily. */
  joinedMembers: JoinedMembers | null
}

interface Prepared {
  /**
   * The entries the snapshot makes present, or null into an empty state (a first sync): then it is every
   * entry it listed, and the commit walks the table for them rather than a list of a million ids.
   */
  activations: EntryList | null
  leaving: EntryList
  /** The joins, exactly, if nothing changes between prepare and commit. */
  joins: Member[]
  /** Their member ids, in the same order (with lists only). */
  joinIds: EntryList
}

export interface PresenceStateOptions {
  /** Longest work between yields during an ingest, in ms (default 8). */
  sliceMs?: number
}

export class PresenceState {
  private convention: CompiledConvention
  private parseBytes: ChannelBytesParser | null
  private table = new ChannelTable()
  private store = new MemberStore()
  private readonly sliceMs: number
  /** Bumped by clear() and setConvention(): a running ingest notices and gives up. */
  private epoch = 0
  private generation = 0
  /** True from the start of an ingest's scan to its commit: entry ids are held, nothing may be freed. */
  private inFlight = false
  /** Entries webhooks changed while an ingest was in flight; its commit looks at them again. */
  private touched: number[] = []
  private lastSnapshotAt = -Infinity
  /** Entries that died, oldest first (roughly): freed once no late news can concern them. */
  private dead: number[] = []
  private deadHead = 0
  private queue: Promise<unknown> = Promise.resolve()
  private keyBytes = new Uint8Array(256)
  /** Channels ALIVE now, and how many of them are not participants. */
  private aliveChannels = 0
  private aliveUnmatched = 0
  /** True while a first snapshot is applied in slices: queries answer as before it, with no one present. */
  private revealing = false

  constructor(convention: CompiledConvention, options: PresenceStateOptions = {}) {
    this.convention = convention
    this.parseBytes = compileBytesParser(convention.convention)
    this.sliceMs = options.sliceMs ?? SLICE_MS
  }

  get namingConvention(): CompiledConvention {
    return this.convention
  }

  /** Switches the convention. The state starts empty: the next snapshot rebuilds it (as all joins). */
  setConvention(convention: CompiledConvention): void {
    this.convention = convention
    this.parseBytes = compileBytesParser(convention.convention)
    this.clear()
  }

  /** Forgets everyone; an ingest in progress is abandoned with IngestAbortedError. */
  clear(): void {
    this.epoch++
    this.table = new ChannelTable()
    this.store = new MemberStore()
    this.lastSnapshotAt = -Infinity
    this.dead = []
    this.deadHead = 0
    this.inFlight = false
    this.touched = []
    this.aliveChannels = 0
    this.aliveUnmatched = 0
    this.revealing = false
  }

  /**
   * Applies the raw body of a `GET /apps/{id}/channels` response taken at `at` (ms epoch): whole, or as
   * a ChunkSource read as it downloads (then a failed download fails the ingest with its error). Ingests
   * run one at a time in call order. The body is fully checked before anything changes: on
   * ChannelListFormatError, ServerErrorInBody or a failed download the state is exactly as before.
   */
  ingestChannelList(body: Uint8Array | ChunkSource, at: number, options: IngestOptions = {}): Promise<IngestResult> {
    const listLeaves = options.listChanges ?? true
    const lists: ChangeLists = { joins: listLeaves && options.lazyJoins !== true, leaves: listLeaves }
    // Held through `source` only, which the scan empties: once read, the body (a million channels are
    // 35 MB) can be freed while the snapshot is applied, if the caller holds it no longer either.
    const source: BodySource = { body }
    const run = this.queue.then(() => this.ingest(source, at, lists))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async ingest(source: BodySource, at: number, list: ChangeLists): Promise<IngestResult> {
    const epoch = this.epoch
    const members = this.store
    const generation = ++this.generation
    let sliceStart = performance.now()
    const sliceOver = (): boolean => performance.now() - sliceStart >= this.sliceMs
    const resumed = (): void => {
      if (this.epoch !== epoch) throw new IngestAbortedError()
    }
    const pause = async (): Promise<void> => {
      await yieldToEventLoop()
      resumed()
      sliceStart = performance.now()
    }

    this.inFlight = true
    this.touched = []
    let outcome
    let changes
    try {
      try {
        outcome = await this.scan(source, generation, { sliceOver, pause, resumed })
        if (outcome.serverError !== null)
          throw new ServerErrorInBody(outcome.serverError.error, outcome.serverError.code)
      } catch (error) {
        if (this.epoch !== epoch) throw new IngestAbortedError()
        await this.rollback(generation, sliceOver, pause)
        throw error
      }
      // Into a state with no one present, the commit is sliced (see commitFirst).
      const first = this.store.total === 0 && this.aliveChannels === 0
      const prepared = await this.prepare(generation, at, list, first, sliceOver, pause)
      // The commit cannot be sliced (but into an empty state, see commitFirst): give it a fresh slice.
      await pause()
      changes =
        prepared.activations === null
          ? await this.commitFirst(generation, at, list, prepared, sliceOver, pause)
          : this.commit(generation, at, list, { ...prepared, activations: prepared.activations })
    } finally {
      if (this.epoch === epoch) {
        this.inFlight = false
        this.touched = []
      }
    }
    this.lastSnapshotAt = Math.max(this.lastSnapshotAt, at)
    const result: IngestResult = {
      at,
      channels: outcome.channels,
      unmatched: outcome.unmatched,
      joins: changes.joins,
      leaves: changes.leaves,
      rooms: members.rooms(),
      total: members.total,
      joinCount: changes.joinCount,
      leaveCount: changes.leaveCount,
      ...(changes.joinedMembers === null ? {} : { joinedMembers: changes.joinedMembers }),
    }
    // Tidy up out of sight: channels the snapshot found gone leave the table.
    await this.purgeDead(at, Infinity, sliceOver, pause).catch((error: unknown) => {
      if (!(error instanceof IngestAbortedError)) throw error
    })
    return result
  }

  /** Reads and checks the body (see ChannelListScan), which nothing here holds once this returns. */
  private async scan(source: BodySource, generation: number, pacing: ScanPacing): Promise<ScanOutcome> {
    const body = source.body
    source.body = null
    if (body === null) throw new Error('a body can be ingested once')
    const scan = new ChannelListScan(body, this.table, this.store, this.convention, this.parseBytes, generation)
    return scan.run(pacing)
  }

  /**
   * Finds what a checked snapshot will change, without changing it (in slices: readers still see the
   * old state), and makes the Member objects for joins and leaves ahead of the commit.
   */
  private async prepare(
    generation: number,
    at: number,
    list: ChangeLists,
    first: boolean,
    sliceOver: () => boolean,
    pause: () => Promise<void>,
  ): Promise<Prepared> {
    const table = this.table
    const members = this.store
    const activations = first ? null : new EntryList()
    const leaving = new EntryList()
    const joins: Member[] = []
    const joinIds = new EntryList()
    // Into an empty state, with joins not listed, there is nothing to find: no channel is ALIVE to leave,
    // and the commit activates every entry listed (a pass over a million records saved).
    if (first && !list.joins) return { activations, leaving, joins, joinIds }
    for (let entry = 0; entry < table.top; entry++) {
      if ((entry & (SWEEP_BATCH - 1)) === 0 && sliceOver()) await pause()
      const current = table.state(entry)
      if (current === FREE) continue
      const id = table.member(entry)
      if (table.seen(entry) === generation) {
        if (current === ALIVE || (current === DEAD && table.stamp(entry) > at)) continue
        // Joins are listed here; the commit re-creates them only if a webhook changed something meanwhile.
        if (list.joins && id >= 0 && !members.isPresent(id) && members.markOnce(id, generation)) {
          joins.push(members.memberObject(id))
          joinIds.push(id, null)
        }
        activations?.push(entry, null)
      } else if (current === ALIVE && table.stamp(entry) <= at) {
        const object = list.leaves && id >= 0 && members.markOnce(id, generation) ? members.memberObject(id) : null
        leaving.push(entry, object)
      }
    }
    return { activations, leaving, joins, joinIds }
  }

  /**
   * Applies a prepared snapshot in one go, so readers never see half of it. Entries a webhook changed
   * since the scan began are looked at again under the same rules. Joins go before leaves, so a user
   * moving from one device's channel to another's is neither.
   */
  private commit(
    generation: number,
    at: number,
    list: ChangeLists,
    prepared: Prepared & { activations: EntryList },
    joinedSoFar: EntryList | null = null,
  ): Changes {
    const table = this.table
    const members = this.store
    const joins: Member[] = []
    const leaves: Member[] = []
    let alive = 0
    let aliveUnmatched = 0
    let leaveCount = 0
    // Without lists, joins are kept as member ids (marked with this generation) and read lazily.
    const joined = list.joins ? null : (joinedSoFar ?? new EntryList())
    const joinedMembers = (): JoinedMembers | null =>
      joined === null ? null : new JoinedMemberList(joined.entries, joined.count, members, generation)
    const leave = (entries: ArrayLike<number>, objects: ReadonlyArray<Member | null> | null, count: number): void => {
      for (let i = 0; i < count; i++) {
        const entry = entries[i] as number
        if (table.state(entry) !== ALIVE || table.seen(entry) === generation || table.stamp(entry) > at) continue
        table.setState(entry, DEAD)
        table.setStamp(entry, at)
        this.dead.push(entry)
        alive--
        const id = table.member(entry)
        if (id < 0) aliveUnmatched--
        else if (members.deactivate(id)) {
          leaveCount++
          if (list.leaves) leaves.push(objects?.[i] ?? members.memberObject(id))
        }
      }
    }
    const { activations, leaving } = prepared
    const tally: Activation = { generation, at, joined, joins, alive: 0, unmatched: 0, joinCount: 0 }
    // Nothing changed since the scan began (the usual case): the prepared joins are the joins, and
    // applying them is integer arithmetic. Else entries webhooks touched are looked at again.
    const untouched = this.touched.length === 0
    if (untouched) tally.joins = null
    this.activateRange(activations.entries, 0, activations.count, tally)
    this.activateRange(this.touched, 0, this.touched.length, tally)
    leave(leaving.entries, leaving.objects, leaving.count)
    leave(this.touched, null, this.touched.length)
    alive += tally.alive
    aliveUnmatched += tally.unmatched
    this.aliveChannels += alive
    this.aliveUnmatched += aliveUnmatched
    return {
      joins: untouched ? prepared.joins : joins,
      leaves,
      joinCount: tally.joinCount,
      leaveCount,
      joinedMembers: joinedMembers(),
    }
  }

  /**
   * The commit of a snapshot into a state with no one present (a first sync: a million joins, too many
   * to apply within one slice), in slices. Readers see the state as it was, empty, until the end (see
   * revealing); webhooks may change entries meanwhile, so each entry is checked as the commit's
   * look at touched entries checks it, and those are looked at again once all are applied.
   */
  private async commitFirst(
    generation: number,
    at: number,
    list: ChangeLists,
    prepared: Prepared,
    sliceOver: () => boolean,
    pause: () => Promise<void>,
  ): Promise<Changes> {
    const table = this.table
    const members = this.store
    const { activations } = prepared
    // Without a list, every entry this snapshot listed, in the order prepare found them.
    const count = activations === null ? table.top : activations.count
    // Sized for everyone at once: a list doubling its way to a million ids would hold two copies a moment.
    const joined = new EntryList(count)
    const tally: Activation = { generation, at, joined, joins: null, alive: 0, unmatched: 0, joinCount: 0 }
    this.revealing = true
    try {
      for (let from = 0; from < count; from += SWEEP_BATCH) {
        if (sliceOver()) await pause()
        this.activateRange(activations?.entries ?? null, from, Math.min(count, from + SWEEP_BATCH), tally)
      }
    } finally {
      // An abandoned commit leaves a state clear() has already replaced.
      this.revealing = false
    }
    this.aliveChannels += tally.alive
    this.aliveUnmatched += tally.unmatched
    const nothingLeft = {
      activations: new EntryList(),
      leaving: prepared.leaving,
      joins: [],
      joinIds: new EntryList(),
    }
    // Entries webhooks touched since the scan began, as the commit looks at them.
    const late = this.commit(generation, at, list, nothingLeft, list.joins ? null : joined)
    const joinCount = joined.count + (list.joins ? late.joinCount : 0)
    // Without lists, the late joins went into the same list of ids.
    if (!list.joins) return { ...late, joinCount: joined.count }
    // The prepared joins are the joins unless a webhook made some of them present first.
    const joins =
      this.touched.length === 0
        ? prepared.joins
        : prepared.joins.filter((_, i) => members.joinedIn(prepared.joinIds.entries[i] as number, generation))
    return { ...late, joins: [...joins, ...late.joins], joinCount }
  }

  /**
   * Makes ALIVE, at `tally.at`, the entries at [from, to) of `entries` (the entry ids themselves when
   * null) that this snapshot listed, unless a webhook made them ALIVE first or dead after the snapshot
   * was taken; adds what changed to `tally`. A member made present by it is a join: its id goes to
   * `tally.joined` (read lazily, see JoinedMembers), or else, unless joins were prepared (null), its
   * object to `tally.joins`.
   */
  private activateRange(entries: ArrayLike<number> | null, from: number, to: number, tally: Activation): void {
    const table = this.table
    const members = this.store
    const { generation, at, joined, joins } = tally
    for (let i = from; i < to; i++) {
      const entry = entries === null ? i : (entries[i] as number)
      const current = table.state(entry)
      if (current === FREE || current === ALIVE || table.seen(entry) !== generation) continue
      if (current === DEAD && table.stamp(entry) > at) continue
      table.setState(entry, ALIVE)
      table.setStamp(entry, at)
      tally.alive++
      const id = table.member(entry)
      if (id < 0) tally.unmatched++
      else if (members.activate(id, at)) {
        tally.joinCount++
        if (joined !== null) {
          members.markJoined(id, generation)
          joined.push(id, null)
        } else joins?.push(members.memberObject(id))
      }
    }
  }

  /** Drops the PENDING entries a failed scan added, in slices (they are invisible meanwhile). */
  private async rollback(generation: number, sliceOver: () => boolean, pause: () => Promise<void>): Promise<void> {
    const table = this.table
    for (let entry = 0; entry < table.top; entry++) {
      if (table.state(entry) === PENDING && table.seen(entry) === generation) this.free(entry)
      if ((entry & (SWEEP_BATCH - 1)) === 0 && sliceOver()) await pause()
    }
  }

  private free(entry: number): void {
    const id = this.table.member(entry)
    this.table.drop(entry)
    if (id >= 0) this.store.unlink(id)
  }

  /** Frees dead entries that died at or before `limit`, oldest first. */
  private async purgeDead(
    limit: number,
    maxCount: number,
    sliceOver: () => boolean,
    pause: () => Promise<void>,
  ): Promise<void> {
    const table = this.table
    let done = 0
    // this.dead is re-read on every step: a webhook batch may purge (and compact the queue) meanwhile.
    while (this.deadHead < this.dead.length && done < maxCount) {
      const entry = this.dead[this.deadHead] as number
      if (table.state(entry) === DEAD) {
        if (table.stamp(entry) > limit) break
        this.free(entry)
      }
      this.deadHead++
      done++
      if ((done & (SWEEP_BATCH - 1)) === 0 && sliceOver()) await pause()
    }
    if (this.deadHead > 4096 && this.deadHead * 2 > this.dead.length) {
      this.dead = this.dead.slice(this.deadHead)
      this.deadHead = 0
    }
    table.compactIfWasteful()
  }

  /**
   * Applies a webhook batch's channel_occupied / channel_vacated events in `time_ms` order. Repeats
   * change nothing (occupied while present, vacated while absent), nor does news older than what the
   * state already knows about a channel. With `listRooms: false` the result's `rooms` is left empty: a
   * caller applying a tick in several slices reads `rooms()` once at the end instead of once per slice.
   */
  applyWebhookEvents(events: readonly PresenceWebhookEvent[], { listRooms = true } = {}): WebhookResult {
    const ordered = events
      .map((event, index) => ({ event, index }))
      .sort((a, b) => a.event.time_ms - b.event.time_ms || a.index - b.index)
    const table = this.table
    const members = this.store
    const joins: Member[] = []
    const leaves: Member[] = []
    let applied = 0
    let ignored = 0
    let stale = 0
    let unmatchedEvents = 0
    let latest = 0
    for (const { event } of ordered) {
      const time = event.time_ms
      const occupied = event.name === 'channel_occupied'
      if (
        (!occupied && event.name !== 'channel_vacated') ||
        typeof event.channel !== 'string' ||
        !Number.isFinite(time)
      ) {
        ignored++
        continue
      }
      latest = Math.max(latest, time)
      const length = this.encodeKey(event.channel)
      const bytes = this.keyBytes
      const hash = hashBytes(bytes, 0, length)
      let entry = table.find(bytes, 0, length, hash)
      const current = entry < 0 ? FREE : table.state(entry)

      if (occupied) {
        if (current === ALIVE) {
          ignored++
          if (table.member(entry) < 0) unmatchedEvents++
          continue
        }
        if ((current === FREE && time < this.lastSnapshotAt) || (current === DEAD && table.stamp(entry) > time)) {
          stale++
          continue
        }
        if (entry < 0) {
          const parsed = this.convention.parse(event.channel)
          // Counted as unmatched, as a poll counts it, if a poll would list it at all: polls ask only
          // for names under the convention's prefix.
          if (parsed === null && !event.channel.startsWith(this.convention.prefix)) {
            unmatchedEvents++
            ignored++
            continue
          }
          entry = table.add(bytes, 0, length, hash, ALIVE)
          if (parsed !== null) table.setMember(entry, members.obtain(parsed))
        }
        table.setState(entry, ALIVE)
        table.setStamp(entry, time)
        if (this.inFlight) this.touched.push(entry)
        applied++
        this.aliveChannels++
        const id = table.member(entry)
        if (id < 0) {
          unmatchedEvents++
          this.aliveUnmatched++
          continue
        }
        if (members.activate(id, time)) joins.push(members.memberObject(id))
      } else {
        if (current === FREE || current === DEAD) {
          ignored++
          const parsed = entry >= 0 ? null : this.convention.parse(event.channel)
          if (entry >= 0 ? table.member(entry) < 0 : parsed === null) unmatchedEvents++
          // Remember when it was vacated: an occupied sent before this but delivered after it (Pusher
          // retries a refused webhook, in any order) is then stale, not a join.
          if (current === DEAD) {
            if (table.stamp(entry) < time) {
              table.setStamp(entry, time)
              if (this.inFlight) this.touched.push(entry)
            }
          } else if (
            time >= this.lastSnapshotAt &&
            (parsed !== null || event.channel.startsWith(this.convention.prefix))
          ) {
            entry = table.add(bytes, 0, length, hash, DEAD)
            if (parsed !== null) table.setMember(entry, members.obtain(parsed))
            table.setStamp(entry, time)
            this.dead.push(entry)
            if (this.inFlight) this.touched.push(entry)
          }
          continue
        }
        if (table.stamp(entry) > time) {
          stale++
          continue
        }
        applied++
        // A PENDING channel is in a snapshot still being read; marking it dead at `time` lets that
        // snapshot's commit decide by time which news is newer.
        const wasAlive = current === ALIVE
        table.setState(entry, DEAD)
        table.setStamp(entry, time)
        this.dead.push(entry)
        if (this.inFlight) this.touched.push(entry)
        if (wasAlive) this.aliveChannels--
        const id = table.member(entry)
        if (id < 0) {
          unmatchedEvents++
          if (wasAlive) this.aliveUnmatched--
          continue
        }
        if (wasAlive && members.deactivate(id)) leaves.push(members.memberObject(id))
      }
    }
    // Tombstones are needed only while late events can still arrive, and never while a scan holds entry ids.
    if (!this.inFlight && latest > 0) {
      void this.purgeDead(latest - TOMBSTONE_MS, WEBHOOK_PURGE_LIMIT, () => false, yieldToEventLoop)
    }
    return {
      at: latest,
      channels: this.channelCount(),
      unmatched: this.unmatchedCount(),
      events: events.length,
      applied,
      ignored,
      stale,
      unmatchedEvents,
      joinCount: joins.length,
      leaveCount: leaves.length,
      joins,
      leaves,
      rooms: listRooms ? this.rooms() : [],
      total: this.memberCount(),
    }
  }

  /** Writes a channel name's UTF-8 bytes into keyBytes; returns the length. */
  private encodeKey(name: string): number {
    if (name.length * 3 > this.keyBytes.length) this.keyBytes = new Uint8Array(name.length * 3)
    const bytes = this.keyBytes
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i)
      if (code >= 0x80) return Buffer.from(bytes.buffer).write(name, 0, 'utf8')
      bytes[i] = code
    }
    return name.length
  }

  // ---- queries ---------------------------------------------------------------------------------

  // While a first snapshot is applied in slices (revealing), the queries answer as before it: no one.

  /** Every room with at least one member, busiest first. */
  rooms(): RoomSummary[] {
    return this.revealing ? [] : this.store.rooms()
  }

  room(id: string): RoomSummary | undefined {
    return this.revealing ? undefined : this.store.room(id)
  }

  /** A room's present members in order of first appearance, filtered by user substring and group, paged. */
  members(room: string, query: MembersQuery): MembersPage {
    return this.revealing ? { total: 0, members: [] } : this.store.members(room, query)
  }

  /**
   * After a start, when a member read as present at `seenAt` really joined (their session, which the
   * history continued): the participants' "joined" order then follows what the console shows.
   */
  restoreJoinTime(room: string, user: string, seenAt: number, joined: number): boolean {
    const roomId = this.store.findRoom(room)
    if (roomId < 0) return false
    const id = this.store.findMember(roomId, user)
    return id >= 0 && this.store.restoreSince(id, seenAt, joined)
  }

  /** Distinct participants (room, user) present. */
  memberCount(): number {
    return this.revealing ? 0 : this.store.total
  }

  /** Channels currently present (participants and unmatched). */
  channelCount(): number {
    return this.revealing ? 0 : this.aliveChannels
  }

  /** Present channels that are not participants. */
  unmatchedCount(): number {
    return this.revealing ? 0 : this.aliveUnmatched
  }

  /**
   * Calls `visit` with the name of every channel present now, in slices that let the event loop go
   * (a million names take a while). Gives up with IngestAbortedError if the state is cleared meanwhile.
   */
  async forEachPresentChannel(visit: (name: string) => void): Promise<void> {
    const epoch = this.epoch
    const table = this.table
    let sliceStart = performance.now()
    for (let entry = 0; entry < table.top; entry++) {
      if ((entry & (SWEEP_BATCH - 1)) === 0 && performance.now() - sliceStart >= this.sliceMs) {
        await yieldToEventLoop()
        if (this.epoch !== epoch) throw new IngestAbortedError()
        sliceStart = performance.now()
      }
      if (table.state(entry) === ALIVE) visit(table.keyString(entry))
    }
  }
}
