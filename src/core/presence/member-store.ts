// Participants: one member per (room, user), however many channels (devices) name it. Rooms, groups
// and members live in byte-keyed tables with integer counts per room and per (room, group), so
// applying a snapshot is typed-array arithmetic and a million members cost the garbage collector
// nothing. Strings and Member objects are made only when asked for (results and queries).
import type { ParsedChannel } from '../../shared/naming.ts'
import type { ParticipantSort } from '../../shared/presence.ts'
import { naturalCompare } from '../../shared/natural-sort.ts'
import { BASE_FIELDS, ByteKeyedTable, FNV_OFFSET, FNV_PRIME, grownInt32, hashBytes } from './byte-table.ts'
import { RoomCounts } from './room-counts.ts'
import type { Member, MemberRow, MembersPage, MembersQuery, RoomSummary } from './types.ts'

// Members keyed by [room id: 4 bytes][user id bytes], with their fields in the table's records (paged:
// the table grows a page at a time, never copying what it holds).
/**
 * Member record fields after the base ones. Where the member was created: a place (room and group, see
 * RoomCounts.placeOf), one field where a room and a pair id took two.
 */
const PLACE = BASE_FIELDS
/** ALIVE channels naming this member: present while above zero. */
const REFS = BASE_FIELDS + 1
/** Channel entries (any state) naming this member: the member exists while above zero. */
const LINKS = BASE_FIELDS + 2
/** Neighbours in the room's list (creation order), -1 at the ends. */
const PREVIOUS = BASE_FIELDS + 3
const FOLLOWING = BASE_FIELDS + 4
/** Fields 8-9: when the member became present (ms epoch), as a float64 (an even index). */
const SINCE = BASE_FIELDS + 5
/** Generation of the snapshot that last made this member present, 0 if none (see JoinedMembers). */
const JOINED_IN = SINCE + 2
const MEMBER_FIELDS = JOINED_IN + 1
/**
 * Key bytes in the record: the room id and a user id of up to 8 bytes, so most keys need no arena,
 * and a record is 56 bytes (an even stride, as the float64 needs): a million members take 56 MB.
 */
const INLINE_KEY_BYTES = 12

const USER_OFFSET = 4

export class MemberStore {
  /** Rooms and groups, and how many are present in each. */
  private readonly counts = new RoomCounts()
  /** Per room: the first and last member of its list (creation order), -1 when empty. */
  private roomHead = new Int32Array(64).fill(-1)
  private roomTail = new Int32Array(64).fill(-1)

  private readonly table = new ByteKeyedTable(MEMBER_FIELDS, INLINE_KEY_BYTES, 1024)
  private key = new Uint8Array(256)
  private text = new Uint8Array(512)
  /** A batch's member keys, one after another, and each one's start, length, hash and place (see obtainMany). */
  private batchKeys = new Uint8Array(1024)
  private batchStart = new Int32Array(64)
  private batchLength = new Int32Array(64)
  private batchHash = new Int32Array(64)
  private batchPlace = new Int32Array(64)
  /** Sink for the loads obtainMany issues ahead of time, so the compiler keeps them. */
  private touched = 0
  /**
   * markOnce's marks: one bit per member id, for one snapshot generation at a time (a scratch field
   * in every record would cost a million members 4 MB for what only a snapshot's preparation uses).
   */
  private marks = new Uint8Array(0)
  private marksGeneration = 0

  /** Distinct members present. */
  total = 0

  /**
   * The member named by these byte ranges of `source` (group start -1 for none), created if new; the
   * caller's channel entry now links to it. A member keeps the group of the channel that created it.
   */
  obtainBytes(
    source: Uint8Array,
    roomStart: number,
    roomEnd: number,
    groupStart: number,
    groupEnd: number,
    userStart: number,
    userEnd: number,
  ): number {
    const place = this.counts.placeOf(source, roomStart, roomEnd, groupStart, groupEnd)
    const room = this.roomOfPlace(place)
    const userLength = userEnd - userStart
    const length = USER_OFFSET + userLength
    const key = this.roomKey(room, length)
    for (let i = 0; i < userLength; i++) key[USER_OFFSET + i] = source[userStart + i] as number
    return this.obtainKey(key, 0, length, hashBytes(key, 0, length), place)
  }

  /**
   * obtainBytes for `count` members, their six byte bounds each in `bounds` (as obtainBytes takes them,
   * one member after another): out[i] = the member id of the i-th. The same members and ids as that many
   * obtainBytes in turn, but each step is taken for every member before the next, so the cache misses
   * of a big table (its slots, the record at a room's tail) overlap instead of following one another: a
   * first sync adds a million members.
   */
  obtainMany(source: Uint8Array, bounds: Int32Array, count: number, out: Int32Array): void {
    if (count > this.batchHash.length) {
      const size = Math.max(count, this.batchHash.length * 2)
      this.batchStart = new Int32Array(size)
      this.batchLength = new Int32Array(size)
      this.batchHash = new Int32Array(size)
      this.batchPlace = new Int32Array(size)
    }
    const counts = this.counts
    const table = this.table
    let keyAt = 0
    let touched = 0
    for (let i = 0; i < count; i++) {
      const b = i * 6
      const place = counts.placeOf(
        source,
        bounds[b] as number,
        bounds[b + 1] as number,
        bounds[b + 2] as number,
        bounds[b + 3] as number,
      )
      const room = this.roomOfPlace(place)
      const userStart = bounds[b + 4] as number
      const userLength = (bounds[b + 5] as number) - userStart
      const length = USER_OFFSET + userLength
      if (keyAt + length > this.batchKeys.length) this.batchKeys = grownBytes(this.batchKeys, (keyAt + length) * 2)
      const keys = this.batchKeys
      writeRoom(keys, keyAt, room)
      // hashBytes of the key, taken as the user's bytes are copied: one pass over them instead of two.
      let hash = FNV_OFFSET
      for (let j = 0; j < USER_OFFSET; j++) hash = Math.imul(hash ^ (keys[keyAt + j] as number), FNV_PRIME)
      for (let j = 0; j < userLength; j++) {
        const byte = source[userStart + j] as number
        keys[keyAt + USER_OFFSET + j] = byte
        hash = Math.imul(hash ^ byte, FNV_PRIME)
      }
      this.batchStart[i] = keyAt
      this.batchLength[i] = length
      this.batchHash[i] = hash
      this.batchPlace[i] = place
      keyAt += length
      // The record a new member of this room will be linked after.
      const tail = this.roomTail[room] as number
      if (tail >= 0) touched ^= table.field(tail, FOLLOWING)
    }
    this.touched ^= touched
    table.prefetch(this.batchHash, count)
    for (let i = 0; i < count; i++) {
      out[i] = this.obtainKey(
        this.batchKeys,
        this.batchStart[i] as number,
        this.batchLength[i] as number,
        this.batchHash[i] as number,
        this.batchPlace[i] as number,
      )
    }
  }

  /** The room of a place, with room in the room lists for it. */
  private roomOfPlace(place: number): number {
    const room = this.counts.placeRoom(place)
    if (room >= this.roomHead.length) {
      const size = this.roomHead.length * 2
      this.roomHead = grownInt32(this.roomHead, size, -1)
      this.roomTail = grownInt32(this.roomTail, size, -1)
    }
    return room
  }

  /** The member whose key (room id and user bytes) is at `start` of `key`, created in `place` if new. */
  private obtainKey(key: Uint8Array, start: number, length: number, hash: number, place: number): number {
    const table = this.table
    const id = table.findOrInsert(key, start, length, hash)
    if (table.added) {
      const room = this.counts.placeRoom(place)
      table.setField(id, PLACE, place)
      table.setField(id, REFS, 0)
      table.setField(id, LINKS, 0)
      table.setFloatField(id, SINCE, 0)
      table.setField(id, JOINED_IN, 0)
      // Append to the room's list.
      const tail = this.roomTail[room] as number
      table.setField(id, PREVIOUS, tail)
      table.setField(id, FOLLOWING, -1)
      if (tail >= 0) table.setField(tail, FOLLOWING, id)
      else this.roomHead[room] = id
      this.roomTail[room] = id
    }
    table.setField(id, LINKS, table.field(id, LINKS) + 1)
    return id
  }

  /** Empty slots for about this many members, or null when the table has them (see ByteKeyedTable.freshSlotsFor). */
  freshSlotsFor(members: number): Int32Array<ArrayBuffer> | null {
    return this.table.freshSlotsFor(members)
  }

  /** Takes slots from freshSlotsFor (see ByteKeyedTable.adoptSlots). */
  adoptSlots(slots: Int32Array<ArrayBuffer>): void {
    this.table.adoptSlots(slots)
  }

  /** obtainBytes for a parsed name (names are ASCII once parsed: the convention checks their characters). */
  obtain(parsed: ParsedChannel): number {
    const needed = parsed.room.length + (parsed.group?.length ?? 0) + parsed.user.length
    if (needed > this.text.length) this.text = new Uint8Array(needed * 2)
    const text = this.text
    let at = 0
    const write = (value: string): void => {
      for (let i = 0; i < value.length; i++) text[at++] = value.charCodeAt(i) & 0xff
    }
    write(parsed.room)
    const roomEnd = at
    let groupStart = -1
    let groupEnd = -1
    if (parsed.group !== null) {
      groupStart = at
      write(parsed.group)
      groupEnd = at
    }
    const userStart = at
    write(parsed.user)
    return this.obtainBytes(text, 0, roomEnd, groupStart, groupEnd, userStart, at)
  }

  /** A channel entry naming this member went away; the member goes when nothing names it. */
  unlink(id: number): void {
    const table = this.table
    const links = table.field(id, LINKS) - 1
    table.setField(id, LINKS, links)
    if (links > 0 || table.field(id, REFS) > 0) return
    const room = this.roomOf(id)
    const previous = table.field(id, PREVIOUS)
    const following = table.field(id, FOLLOWING)
    if (previous >= 0) table.setField(previous, FOLLOWING, following)
    else this.roomHead[room] = following
    if (following >= 0) table.setField(following, PREVIOUS, previous)
    else this.roomTail[room] = previous
    table.remove(id)
  }

  /** One more ALIVE channel for this member; true when that made it present. */
  activate(id: number, at: number): boolean {
    const table = this.table
    const refs = table.field(id, REFS)
    table.setField(id, REFS, refs + 1)
    if (refs > 0) return false
    table.setFloatField(id, SINCE, at)
    const place = table.field(id, PLACE)
    this.counts.add(this.counts.placeRoom(place), this.counts.placePair(place), 1)
    this.total++
    return true
  }

  /**
   * Sets when a member present since `seenAt` (the fresh reading after a start) really joined, as the
   * history knows it; one whose presence began again since is left as it is. True when set.
   */
  restoreSince(id: number, seenAt: number, joined: number): boolean {
    const table = this.table
    if (table.field(id, REFS) === 0 || table.floatField(id, SINCE) !== seenAt) return false
    table.setFloatField(id, SINCE, joined)
    return true
  }

  /** One fewer ALIVE channel; true when that made it absent. */
  deactivate(id: number): boolean {
    const table = this.table
    const refs = table.field(id, REFS) - 1
    table.setField(id, REFS, refs)
    if (refs > 0) return false
    const place = table.field(id, PLACE)
    this.counts.add(this.counts.placeRoom(place), this.counts.placePair(place), -1)
    this.total--
    return true
  }

  isPresent(id: number): boolean {
    return this.table.field(id, REFS) > 0
  }

  /** Records that the snapshot of this generation made the member present. */
  markJoined(id: number, generation: number): void {
    this.table.setField(id, JOINED_IN, generation)
  }

  /** True while the member is known and the snapshot of this generation was the last to make it present. */
  joinedIn(id: number, generation: number): boolean {
    return this.table.isUsed(id) && this.table.field(id, JOINED_IN) === generation
  }

  /** Marks a member for a snapshot generation; false when it was already marked (one object per member). */
  markOnce(id: number, generation: number): boolean {
    if (generation !== this.marksGeneration) {
      // A new generation: no one is marked. Ids are below the table's high-water mark.
      const size = (this.table.top >>> 3) + 1
      if (this.marks.length < size) this.marks = new Uint8Array(size * 2)
      else this.marks.fill(0)
      this.marksGeneration = generation
    }
    const byte = id >>> 3
    if (byte >= this.marks.length) {
      // A member added since this generation began (by a webhook while its snapshot is prepared).
      const bigger = new Uint8Array(Math.max(byte + 1, this.marks.length * 2))
      bigger.set(this.marks)
      this.marks = bigger
    }
    const bit = 1 << (id & 7)
    const marks = this.marks[byte] as number
    if ((marks & bit) !== 0) return false
    this.marks[byte] = marks | bit
    return true
  }

  /** A fresh Member object (the caller may keep or change it). */
  memberObject(id: number): Member {
    const table = this.table
    return {
      room: this.counts.roomNameOf(this.roomOf(id)),
      group: this.counts.groupNameOf(this.pairOf(id)),
      user: table.keyString(id, USER_OFFSET),
    }
  }

  /**
   * Orders two members by room name, then user, then group name (none as ''): the order of
   * `compareMembers` in the history (its open-sessions index), read from the table without making
   * strings for the users. User bytes compare as the code units of their latin1 strings do.
   */
  compareByRoomUserGroup(a: number, b: number): number {
    const table = this.table
    const roomA = this.roomOf(a)
    const roomB = this.roomOf(b)
    if (roomA !== roomB) return this.counts.roomNameOf(roomA) < this.counts.roomNameOf(roomB) ? -1 : 1
    const lengthA = table.keyLength(a)
    const lengthB = table.keyLength(b)
    const shorter = Math.min(lengthA, lengthB)
    for (let i = USER_OFFSET; i < shorter; i++) {
      const difference = table.keyByte(a, i) - table.keyByte(b, i)
      if (difference !== 0) return difference
    }
    if (lengthA !== lengthB) return lengthA - lengthB
    const groupA = this.counts.groupNameOf(this.pairOf(a)) ?? ''
    const groupB = this.counts.groupNameOf(this.pairOf(b)) ?? ''
    return groupA === groupB ? 0 : groupA < groupB ? -1 : 1
  }

  /** The member's room id. */
  private roomOf(id: number): number {
    return this.counts.placeRoom(this.table.field(id, PLACE))
  }

  /** The member's (room, group) pair id, -1 without a group. */
  private pairOf(id: number): number {
    return this.counts.placePair(this.table.field(id, PLACE))
  }

  /** The scratch key for a member of `room`, at least `length` bytes, with the room id in its first four. */
  private roomKey(room: number, length: number): Uint8Array {
    if (length > this.key.length) this.key = new Uint8Array(length * 2)
    writeRoom(this.key, 0, room)
    return this.key
  }

  /** The member id of (room, user), or -1 when there is none; `room` is a room id from findRoom. */
  findMember(room: number, user: string): number {
    const length = USER_OFFSET + user.length
    const key = this.roomKey(room, length)
    for (let i = 0; i < user.length; i++) {
      const code = user.charCodeAt(i)
      // User ids are latin1 strings of their bytes (see keyString): any other character names no one.
      if (code > 0xff) return -1
      key[USER_OFFSET + i] = code
    }
    return this.table.find(key, 0, length, hashBytes(key, 0, length))
  }

  /** A room's id by name, or -1. */
  findRoom(name: string): number {
    return this.counts.findRoom(name)
  }

  /** The member's group name (null for none). */
  groupOf(id: number): string | null {
    return this.counts.groupNameOf(this.pairOf(id))
  }

  // ---- queries ---------------------------------------------------------------------------------

  rooms(): RoomSummary[] {
    return this.counts.rooms()
  }

  room(name: string): RoomSummary | undefined {
    return this.counts.room(name)
  }

  /** Members present in a room in order of first appearance, filtered and paged. */
  members(name: string, query: MembersQuery): MembersPage {
    const counts = this.counts
    const room = counts.findRoom(name)
    if (room < 0) return { total: 0, members: [] }
    let wantedGroup = -1
    if (query.group !== undefined) {
      wantedGroup = counts.findGroup(query.group)
      if (wantedGroup < 0) return { total: 0, members: [] }
    }
    const needle = asciiLowerBytes(query.search?.trim() ?? '')
    if (needle === null) return { total: 0, members: [] }
    const offset = Math.max(0, Math.floor(query.offset))
    const end = offset + Math.max(0, Math.floor(query.limit))
    const table = this.table
    const rowOf = (id: number): MemberRow => ({
      user: table.keyString(id, USER_OFFSET),
      group: counts.groupNameOf(this.pairOf(id)),
      since: table.floatField(id, SINCE),
    })
    const rows: MemberRow[] = []
    const matching: number[] = []
    let total = 0
    for (let id = this.roomHead[room] as number; id >= 0; id = table.field(id, FOLLOWING)) {
      if (table.field(id, REFS) === 0) continue
      const pair = this.pairOf(id)
      if (wantedGroup >= 0 && counts.groupOfPair(pair) !== wantedGroup) continue
      if (needle.length > 0 && !this.userContains(id, needle)) continue
      // Sorted, every match is needed before a page can be cut; unsorted, only the page is read.
      if (query.sort) matching.push(id)
      else if (total >= offset && total < end) rows.push(rowOf(id))
      total++
    }
    if (!query.sort) return { total, members: rows }
    return {
      total,
      members: this.sortMembers(matching, query.sort, query.order ?? 'asc')
        .slice(offset, end)
        .map(rowOf),
    }
  }

  /**
   * Member ids in a column's order, ties by user (natural order, so user2 comes before user10).
   * "present" is "joined" the other way round: present longest is joined earliest.
   */
  private sortMembers(ids: number[], sort: ParticipantSort, order: 'asc' | 'desc'): number[] {
    const table = this.table
    const users = new Map<number, string>()
    const userOf = (id: number) => {
      let user = users.get(id)
      if (user === undefined) users.set(id, (user = table.keyString(id, USER_OFFSET)))
      return user
    }
    const groupOf = (id: number) => this.counts.groupNameOf(this.pairOf(id))
    const sign = order === 'desc' ? -1 : 1
    const byUser = (a: number, b: number) => naturalCompare(userOf(a), userOf(b))
    let compare: (a: number, b: number) => number
    if (sort === 'user') compare = (a, b) => sign * byUser(a, b)
    else if (sort === 'group')
      compare = (a, b) => {
        const groupA = groupOf(a)
        const groupB = groupOf(b)
        // Members without a group come last either way.
        if (groupA !== groupB) {
          if (groupA === null) return 1
          if (groupB === null) return -1
          return sign * naturalCompare(groupA, groupB)
        }
        return byUser(a, b)
      }
    else {
      const direction = sort === 'joined' ? sign : -sign
      compare = (a, b) => direction * (table.floatField(a, SINCE) - table.floatField(b, SINCE)) || byUser(a, b)
    }
    return ids.sort(compare)
  }

  private userContains(id: number, needle: Uint8Array): boolean {
    const table = this.table
    const length = table.keyLength(id)
    const last = length - needle.length
    for (let i = USER_OFFSET; i <= last; i++) {
      let j = 0
      while (j < needle.length && lowerAscii(table.keyByte(id, i + j)) === needle[j]) j++
      if (j === needle.length) return true
    }
    return false
  }
}

/** A member key's room prefix: the room id's four bytes at `at`. */
function writeRoom(key: Uint8Array, at: number, room: number): void {
  key[at] = room & 0xff
  key[at + 1] = (room >>> 8) & 0xff
  key[at + 2] = (room >>> 16) & 0xff
  key[at + 3] = room >>> 24
}

function grownBytes(bytes: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(size)
  bigger.set(bytes)
  return bigger
}

function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code
}

/** The search text as lower-case ASCII bytes; null when it has other characters (user ids never do). */
function asciiLowerBytes(text: string): Uint8Array | null {
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0x80) return null
    bytes[i] = lowerAscii(code)
  }
  return bytes
}
