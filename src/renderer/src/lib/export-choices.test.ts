import { describe, expect, it } from 'vitest'
import { exportRoomChoices } from './export-choices.ts'

const live = [
  { room: 'stage', count: 12, groups: {} },
  { room: 'lobby', count: 40, groups: {} },
  { room: 'Cafe', count: 12, groups: {} },
]
const known = [
  { room: 'Cafe', count: 12, changedAt: 5 },
  { room: 'garden', count: 0, changedAt: 1000 },
  { room: 'annex', count: 0, changedAt: 2000 },
  { room: 'lobby', count: 38, changedAt: 7 },
  { room: 'stage', count: 12, changedAt: 9 },
]

describe('rooms offered for an export', () => {
  it('lists present rooms busiest first, then rooms that have emptied by name', () => {
    expect(exportRoomChoices(live, known, '', true)).toEqual([
      { room: 'lobby', present: true, count: 40 },
      { room: 'Cafe', present: true, count: 12 },
      { room: 'stage', present: true, count: 12 },
      { room: 'annex', present: false, emptiedAt: 2000 },
      { room: 'garden', present: false, emptiedAt: 1000 },
    ])
  })

  it('leaves emptied rooms out when not asked for, or before the history answered', () => {
    expect(exportRoomChoices(live, known, '', false).map((choice) => choice.room)).toEqual(['lobby', 'Cafe', 'stage'])
    expect(exportRoomChoices(live, null, '', true)).toHaveLength(3)
  })

  it('filters both by a search, whatever the case', () => {
    expect(exportRoomChoices(live, known, 'A', true).map((choice) => choice.room)).toEqual([
      'Cafe',
      'stage',
      'annex',
      'garden',
    ])
  })
})
