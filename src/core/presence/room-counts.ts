// Rooms and groups, interned for good from the bytes of channel names (there are few of them), with
// how many people are present per room and per (room, group) pair as integers. Shared by the presence
// state's members and by the counts-only reading of a channel list, so both summarise rooms alike.
import {
  BASE_FIELDS,
  ByteKeyedTable,
  FNV_OFFSET,
  FNV_PRIME,
  grownInt32,
  hashBytes,
  latin1String,
  PAGE_BITS,
} from './byte-table.ts'
import type { RoomSummary } from './types.ts'

// A place is a (room, group or none) as named in channel names, keyed by [room length: 4 bytes][room
// bytes], then [1][group bytes] when there is a group: its record holds the room id and the pair id.
const PLACE_ROOM = BASE_FIELDS
const PLACE_PAIR = BASE_FIELDS + 1
/** Key bytes in the record: the length and most room and group names. */
const PLACE_INLINE_BYTES = 28
const PLACE_ROOM_OFFSET = 4
/** Places remembered by a cheap index of their bytes (see placeOf): room for the places of thousands of rooms. */
const RECENT_PLACE_BITS = 14

export class RoomCounts {
  private readonly roomTable = new ByteKeyedTable()
  private roomName: string[] = []
  private roomCount = new Int32Array(64)
  /** Per room: group id → pair id. */
  private roomPairs: Array<Map<number, number>> = []
  private readonly groupTable = new ByteKeyedTable()
  private groupName: string[] = []
  private pairCount = new Int32Array(64)
  private pairGroup = new Int32Array(64)
  private pairTop = 0
  /** Every place seen (see PLACE_ROOM): one lookup finds a member's room and pair. */
  private readonly placeTable = new ByteKeyedTable(PLACE_PAIR + 1, PLACE_INLINE_BYTES)
  private placeKey = new Uint8Array(64)
  /**
   * Slot → a place whose key fits its record, or -1: most lookups find their place here, checked by its
   * bytes, without hashing the key and probing the table (a first sync asks a million times for a few
   * thousand places).
   */
  private readonly recentPlaces = new Int32Array(1 << RECENT_PLACE_BITS).fill(-1)

  /** Rooms ever seen; room ids are below it. */
  get roomTotal(): number {
    return this.roomName.length
  }

  /** The room named by these bytes, created (with no one in it) if new. */
  private roomOf(source: Uint8Array, start: number, end: number): number {
    const table = this.roomTable
    const hash = hashBytes(source, start, end - start)
    const room = table.findOrInsert(source, start, end - start, hash)
    if (!table.added) return room
    // Rooms are never removed, so ids are dense.
    this.roomName[room] = latin1String(source, start, end)
    this.roomPairs[room] = new Map()
    if (room >= this.roomCount.length) this.roomCount = grownInt32(this.roomCount, this.roomCount.length * 2)
    this.roomCount[room] = 0
    return room
  }

  /**
   * The place named by these bytes (group start -1 for none): a room and, unless there is no group, a
   * (room, group) pair, created if new; read them with placeRoom and placePair. One lookup where roomOf
   * and pairOf take two and a Map's: a first sync asks for every member's.
   */
  placeOf(source: Uint8Array, roomStart: number, roomEnd: number, groupStart: number, groupEnd: number): number {
    const roomLength = roomEnd - roomStart
    const groupLength = groupStart < 0 ? -1 : groupEnd - groupStart
    const length = PLACE_ROOM_OFFSET + roomLength + 1 + groupLength
    // The slot: from the lengths and the bytes where names of a kind differ most (a room's last, a group's first).
    let recent = Math.imul(roomLength, 31) + groupLength
    for (let i = roomEnd - 1; i >= roomStart && i >= roomEnd - 4; i--)
      recent = Math.imul(recent, 131) + (source[i] as number)
    if (groupLength > 0) recent = Math.imul(recent, 131) + (source[groupStart] as number)
    recent = Math.imul(recent, 0x9e3779b1) >>> (32 - RECENT_PLACE_BITS)
    const known = this.recentPlaces[recent] as number
    if (known >= 0 && this.placeIs(known, length, source, roomStart, roomEnd, groupStart, groupEnd)) return known
    if (length > this.placeKey.length) this.placeKey = new Uint8Array(length * 2)
    const key = this.placeKey
    // The key's hash (hashBytes of it) is taken as it is written: one pass over the bytes instead of two.
    let hash = FNV_OFFSET
    for (let i = 0; i < PLACE_ROOM_OFFSET; i++) {
      const byte = (roomLength >>> (8 * i)) & 0xff
      key[i] = byte
      hash = Math.imul(hash ^ byte, FNV_PRIME)
    }
    let at = PLACE_ROOM_OFFSET
    for (let i = roomStart; i < roomEnd; i++) {
      const byte = source[i] as number
      key[at++] = byte
      hash = Math.imul(hash ^ byte, FNV_PRIME)
    }
    if (groupStart >= 0) {
      key[at++] = 1
      hash = Math.imul(hash ^ 1, FNV_PRIME)
      for (let i = groupStart; i < groupEnd; i++) {
        const byte = source[i] as number
        key[at++] = byte
        hash = Math.imul(hash ^ byte, FNV_PRIME)
      }
    }
    const table = this.placeTable
    const place = table.findOrInsert(key, 0, length, hash)
    if (table.added) {
      const room = this.roomOf(source, roomStart, roomEnd)
      table.setField(place, PLACE_ROOM, room)
      table.setField(place, PLACE_PAIR, groupStart < 0 ? -1 : this.pairOf(room, source, groupStart, groupEnd))
    }
    // Places are never removed, so a remembered one stays valid; a longer key is left to the table.
    if (length <= PLACE_INLINE_BYTES) this.recentPlaces[recent] = place
    return place
  }

  /** Whether a place's key (whole in its record) is the one placeOf would write for these bytes. */
  private placeIs(
    place: number,
    length: number,
    source: Uint8Array,
    roomStart: number,
    roomEnd: number,
    groupStart: number,
    groupEnd: number,
  ): boolean {
    const table = this.placeTable
    if (table.keyLength(place) !== length) return false
    const bytes = table.bytePages[place >>> PAGE_BITS] as Uint8Array
    let at = table.inlineKeyAt(place)
    const roomLength = roomEnd - roomStart
    for (let i = 0; i < PLACE_ROOM_OFFSET; i++) if (bytes[at++] !== ((roomLength >>> (8 * i)) & 0xff)) return false
    for (let i = roomStart; i < roomEnd; i++) if (bytes[at++] !== source[i]) return false
    if (groupStart < 0) return true
    if (bytes[at++] !== 1) return false
    for (let i = groupStart; i < groupEnd; i++) if (bytes[at++] !== source[i]) return false
    return true
  }

  /** A place's room id. */
  placeRoom(place: number): number {
    return this.placeTable.field(place, PLACE_ROOM)
  }

  /** A place's pair id, or -1 for a place without a group. */
  placePair(place: number): number {
    return this.placeTable.field(place, PLACE_PAIR)
  }

  /** The (room, group) pair of the group named by these bytes, created if new. */
  private pairOf(room: number, source: Uint8Array, start: number, end: number): number {
    const group = this.groupOf(source, start, end)
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

  /** One more (or, with -1, one fewer) person present in a room, and in a pair unless it is -1. */
  add(room: number, pair: number, delta: number): void {
    this.roomCount[room] = (this.roomCount[room] as number) + delta
    if (pair >= 0) this.pairCount[pair] = (this.pairCount[pair] as number) + delta
  }

  roomNameOf(room: number): string {
    return this.roomName[room] as string
  }

  /** The group's name of a pair, or null for -1 (no group). */
  groupNameOf(pair: number): string | null {
    return pair < 0 ? null : (this.groupName[this.pairGroup[pair] as number] as string)
  }

  /** The group id of a pair (-1 for none), to compare pairs by group. */
  groupOfPair(pair: number): number {
    return pair < 0 ? -1 : (this.pairGroup[pair] as number)
  }

  /** Every room with someone in it, busiest first (then by name). */
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

  /** A room's id by name, or -1. */
  findRoom(name: string): number {
    const bytes = new TextEncoder().encode(name)
    return this.roomTable.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
  }

  /** A group's id by name, or -1. */
  findGroup(name: string): number {
    const bytes = new TextEncoder().encode(name)
    return this.groupTable.find(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))
  }

  private groupOf(source: Uint8Array, start: number, end: number): number {
    const table = this.groupTable
    const hash = hashBytes(source, start, end - start)
    const group = table.findOrInsert(source, start, end - start, hash)
    if (!table.added) return group
    this.groupName[group] = latin1String(source, start, end)
    return group
  }

  private summary(room: number): RoomSummary {
    const groups: Record<string, number> = {}
    for (const [group, pair] of this.roomPairs[room] as Map<number, number>) {
      const count = this.pairCount[pair] as number
      if (count > 0) groups[this.groupName[group] as string] = count
    }
    return { room: this.roomName[room] as string, count: this.roomCount[room] as number, groups }
  }
}
