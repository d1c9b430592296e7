// Participants: one member per (room, user), however many channels (devices) name it. Rooms, groups
// and members live in byte-keyed tables with integer counts per room and per (room, group), so
// applying a snapshot is typed-array arithmetic and a million members cost the garbage collector
// nothing. Strings and Member objects are made only when asked for (results and queries).
import type { ParsedChannel } from '../../shared/naming.ts'
import { BASE_FIELDS, ByteKeyedTable, grownFloat64, grownInt32, hashBytes, latin1String } from './byte-table.ts'
import type { ParticipantSort } from '../../shared/presence.ts'
import { naturalCompare } from '../../shared/natural-sort.ts'
import type { Member, MemberRow, MembersPage, MembersQuery, RoomSummary } from './types.ts'

/** Members keyed by [room id: 4 bytes][user id bytes]. */
class MemberTable extends ByteKeyedTable {
  room!: Int32Array
  /** (room, group) pair id, or -1 without a group. */
  pair!: Int32Array
  /** ALIVE channels naming this member: present while above zero. */
  refs!: Int32Array
  /** Channel entries (any state) naming this member: the member exists while above zero. */
  links!: Int32Array
  since!: Float64Array
  /** Neighbours in the room's list (creation order), -1 at the ends. */
  previous!: Int32Array
  following!: Int32Array
  /** Scratch mark (snapshot generation) so one object is prepared per member. */
  mark!: Int32Array

  constructor() {
    super(BASE_FIELDS, 0, 1024)
    this.room = new Int32Array(1024)
    this.pair = new Int32Array(1024)
    this.refs = new Int32Array(1024)
    this.links = new Int32Array(1024)
    this.since = new Float64Array(1024)
    this.previous = new Int32Array(1024)
    this.following = new Int32Array(1024)
    this.mark = new Int32Array(1024)
  }

  protected override growEntries(size: number): void {
    super.growEntries(size)
    this.room = grownInt32(this.room, size)
    this.pair = grownInt32(this.pair, size)
    this.refs = grownInt32(this.refs, size)
    this.links = grownInt32(this.links, size)
    this.since = grownFloat64(this.since, size)
    this.previous = grownInt32(this.previous, size)
    this.following = grownInt32(this.following, size)
    this.mark = grownInt32(this.mark, size)
  }
}

const USER_OFFSET = 4

export class MemberStore {
  // Rooms and groups are interned for good (there are few); their ids index the arrays below.
  private readonly roomTable = new ByteKeyedTable()
  private roomName: string[] = []
  private roomCount = new Int32Array(64)
  private roomHead = new Int32Array(64)
  private roomTail = new Int32Array(64)
  /** Per room: group id → pair id. */
  private roomPairs: Array<Map<number, number>> = []
  private readonly groupTable = new ByteKeyedTable()
  private groupName: string[] = []
  private pairCount = new Int32Array(64)
  private pairGroup = new Int32Array(64)
  private pairTop = 0

  private readonly table = new MemberTable()
  private key = new Uint8Array(256)
  private text = new Uint8Array(512)

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
    const room = this.roomOf(source, roomStart, roomEnd)
    const userLength = userEnd - userStart
    const length = USER_OFFSET + userLength
    if (length > this.key.length) this.key = new Uint8Array(length * 2)
    const key = this.key
    key[0] = room & 0xff
    key[1] = (room >>> 8) & 0xff
    key[2] = (room >>> 16) & 0xff
    key[3] = room >>> 24
    for (let i = 0; i < userLength; i++) key[USER_OFFSET + i] = source[userStart + i] as number
    const hash = hashBytes(key, 0, length)
    const table = this.table
    let id = table.find(key, 0, length, hash)
    if (id < 0) {
      id = table.insert(key, 0, length, hash)
      table.room[id] = room
      table.pair[id] = groupStart < 0 ? -1 : this.pairOf(room, this.groupOf(source, groupStart, groupEnd))
      table.refs[id] = 0
      table.links[id] = 0
      table.since[id] = 0
      table.mark[id] = 0
      // Append to the room's list.
      const tail = this.roomTail[room] as number
      table.previous[id] = tail
      table.following[id] = -1
      if (tail >= 0) table.following[tail] = id
      else this.roomHead[room] = id
      this.roomTail[room] = id
    }
    table.links[id] = (table.links[id] as number) + 1
    return id
  }

  /** Room for about this many members without rehashing. */
  reserve(members: number): void {
    this.table.reserve(members)
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
    const links = (table.links[id] as number) - 1
    table.links[id] = links
    if (links > 0 || (table.refs[id] as number) > 0) return
    const room = table.room[id] as number
    const previous = table.previous[id] as number
    const following = table.following[id] as number
    if (previous >= 0) table.following[previous] = following
    else this.roomHead[room] = following
    if (following >= 0) table.previous[following] = previous
    else this.roomTail[room] = previous
    table.remove(id)
  }

  /** One more ALIVE channel for this member; true when that made it present. */
  activate(id: number, at: number): boolean {
    const table = this.table
    const refs = table.refs[id] as number
    table.refs[id] = refs + 1
    if (refs > 0) return false
    table.since[id] = at
    const room = table.room[id] as number
    this.roomCount[room] = (this.roomCount[room] as number) + 1
    const pair = table.pair[id] as number
    if (pair >= 0) this.pairCount[pair] = (this.pairCount[pair] as number) + 1
    this.total++
    return true
  }

  /** One fewer ALIVE channel; true when that made it absent. */
  deactivate(id: number): boolean {
    const table = this.table
    const refs = (table.refs[id] as number) - 1
    table.refs[id] = refs
    if (refs > 0) return false
    const room = table.room[id] as number
    this.roomCount[room] = (this.roomCount[room] as number) - 1
    const pair = table.pair[id] as number
    if (pair >= 0) this.pairCount[pair] = (this.pairCount[pair] as number) - 1
    this.total--
    return true
  }

  isPresent(id: number): boolean {
    return (this.table.refs[id] as number) > 0
  }

  /** Marks a member for a snapshot generation; false when it was already marked (one object per member). */
  markOnce(id: number, generation: number): boolean {
    if (this.table.mark[id] === generation) return false
    this.table.mark[id] = generation
    return true
  }

  /** A fresh Member object (the caller may keep or change it). */
  memberObject(id: number): Member {
    const table = this.table
    const pair = table.pair[id] as number
    return {
      room: this.roomName[table.room[id] as number] as string,
      group: pair < 0 ? null : (this.groupName[this.pairGroup[pair] as number] as string),
      user: table.keyString(id, USER_OFFSET),
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  rooms(): RoomSummary[] {
    const summaries: RoomSummary[] = []
    for (let room = 0; room < this.roomName.length; room++) {
      if ((this.roomCount[room] as number) > 0) summaries.push(this.summary(room))
    }
    return summaries.sort((a, b) => b.count - a.count || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0))
  }

  room(name: string): RoomSummary | undefined {
    const room = this.findRoom(name)
    return room < 0 || this.roomCount[room] === 0 ? undefined : this.summary(room)
  }

  /** Members present in a room in order of first appearance, filtered and paged. */
  members(name: string, query: MembersQuery): MembersPage {
    const room = this.findRoom(name)
    if (room < 0) return { total: 0, members: [] }
    let wantedGroup = -1
    if (query.group !== undefined) {
      wantedGroup = this.findGroup(query.group)
      if (wantedGroup < 0) return { total: 0, members: [] }
    }
    const needle = asciiLowerBytes(query.search?.trim() ?? '')
    if (needle === null) return { total: 0, members: [] }
    const offset = Math.max(0, Math.floor(query.offset))
    const end = offset + Math.max(0, Math.floor(query.limit))
    const table = this.table
    const rowOf = (id: number): MemberRow => {
      const pair = table.pair[id] as number
      return {
        user: table.keyString(id, USER_OFFSET),
        group: pair < 0 ? null : (this.groupName[this.pairGroup[pair] as number] as string),
        since: table.since[id] as number,
      }
    }
    const rows: MemberRow[] = []
    const matching: number[] = []
    let total = 0
    for (let id = this.roomHead[room] as number; id >= 0; id = table.following[id] as number) {
      if (table.refs[id] === 0) continue
      const pair = table.pair[id] as number
      if (wantedGroup >= 0 && (pair < 0 || this.pairGroup[pair] !== wantedGroup)) continue
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
    const groupOf = (id: number) => {
      const pair = table.pair[id] as number
      return pair < 0 ? null : (this.groupName[this.pairGroup[pair] as number] as string)
    }
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
      compare = (a, b) => direction * ((table.since[a] as number) - (table.since[b] as number)) || byUser(a, b)
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

  private summary(room: number): RoomSummary {
    const groups: Record<string, number> = {}
    for (const [group, pair] of this.roomPairs[room] as Map<number, number>) {
      const count = this.pairCount[pair] as number
      if (count > 0) groups[this.groupName[group] as string] = count
    }
    return { room: this.roomName[room] as string, count: this.roomCount[room] as number, groups }
  }

  private findRoom(name: string): number {
    const bytes = new TextEncoder().encode(name)
    return this.roomTable.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
  }

  private findGroup(name: string): number {
    const bytes = new TextEncoder().encode(name)
    return this.groupTable.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
  }

  private roomOf(source: Uint8Array, start: number, end: number): number {
    const table = this.roomTable
    const hash = hashBytes(source, start, end - start)
    let room = table.find(source, start, end - start, hash)
    if (room >= 0) return room
    room = table.insert(source, start, end - start, hash)
    // Rooms are never removed, so ids are dense.
    this.roomName[room] = latin1String(source, start, end)
    this.roomPairs[room] = new Map()
    if (room >= this.roomCount.length) {
      const size = this.roomCount.length * 2
      this.roomCount = grownInt32(this.roomCount, size)
      this.roomHead = grownInt32(this.roomHead, size)
      this.roomTail = grownInt32(this.roomTail, size)
    }
    this.roomCount[room] = 0
    this.roomHead[room] = -1
    this.roomTail[room] = -1
    return room
  }

  private groupOf(source: Uint8Array, start: number, end: number): number {
    const table = this.groupTable
    const hash = hashBytes(source, start, end - start)
    let group = table.find(source, start, end - start, hash)
    if (group >= 0) return group
    group = table.insert(source, start, end - start, hash)
    this.groupName[group] = latin1String(source, start, end)
    return group
  }

  private pairOf(room: number, group: number): number {
    const pairs = this.roomPairs[room] as Map<number, number>
    let pair = pairs.get(group)
    if (pair === undefined) {
      pair = this.pairTop++
      if (pair === this.pairCount.length) {
        this.pairCount = grownInt32(this.pairCount, pair * 2)
        this.pairGroup = grownInt32(this.pairGroup, pair * 2)
      }
      this.pairGroup[pair] = group
      pairs.set(group, pair)
    }
    return pair
  }
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
