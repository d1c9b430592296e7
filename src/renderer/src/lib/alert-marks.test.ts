import { describe, expect, it } from 'vitest'
import type { AlertEntry } from '../../../shared/alerts.ts'
import { alertMarks } from './alert-marks.ts'

const entry = (id: number, room: string | null, resolvedAt: number | null): AlertEntry => ({
  id,
  ruleId: `r${id}`,
  kind: room ? 'room-above' : 'sync-stale',
  rule: room ? `${room} above 100 people` : 'Sync stale for more than 60 s',
  room,
  firedAt: id * 1000,
  message: 'm',
  resolvedAt,
  resolution: resolvedAt === null ? null : 'r',
})

describe('alert marks', () => {
  const log = [entry(3, 'stage', null), entry(2, null, 2500), entry(1, 'lobby', 1800)]

  it('puts every alert on the overview, oldest first, firing ones open-ended', () => {
    expect(alertMarks(log)).toEqual([
      {
        id: '1',
        at: 1000,
        until: 1800,
        label: 'lobby above 100 people',
        description: 'Alert lobby above 100 people, resolved',
      },
      {
        id: '2',
        at: 2000,
        until: 2500,
        label: 'Sync stale for more than 60 s',
        description: 'Alert Sync stale for more than 60 s, resolved',
      },
      {
        id: '3',
        at: 3000,
        until: null,
        label: 'stage above 100 people',
        description: 'Alert stage above 100 people, firing',
      },
    ])
  })

  it("puts a room's own and the connection-wide alerts on its chart", () => {
    expect(alertMarks(log, 'lobby').map((mark) => mark.id)).toEqual(['1', '2'])
    expect(alertMarks(null, 'lobby')).toEqual([])
  })
})
