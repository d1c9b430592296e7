import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemTimeZone, timeFormat, timeFormatForZone } from './time-format.ts'

const utc = timeFormatForZone('UTC')
const paris = timeFormatForZone('Europe/Paris')
const at = (iso: string) => Date.parse(iso)

describe('time format in UTC', () => {
  const t = at('2026-03-04T14:03:07.250Z')

  it('writes clocks, dates, inputs and axis ticks in UTC', () => {
    expect(utc.clock(t)).toBe('14:03:07')
    expect(utc.dateTime(t)).toBe('2026-03-04 14:03')
    expect(utc.dateTime(t, { seconds: true })).toBe('2026-03-04 14:03:07')
    expect(utc.input(t)).toBe('2026-03-04 14:03:07')
    expect(utc.axis(t, 5 * 60_000)).toBe('14:03:07')
    expect(utc.axis(t, 3_600_000)).toBe('14:03')
    expect(utc.axis(t, 7 * 86_400_000)).toBe('03-04 14h')
    expect(utc.label(t)).toBe('UTC')
    expect(utc.offsetMs(t)).toBe(0)
  })

  it('reads back what it writes, with or without seconds, and "now"', () => {
    expect(utc.parse('2026-03-04 14:03:07', 0)).toEqual({ ok: true, ms: at('2026-03-04T14:03:07Z') })
    expect(utc.parse('2026-03-04T14:03', 0)).toEqual({ ok: true, ms: at('2026-03-04T14:03:00Z') })
    expect(utc.parse('  NOW ', 1234)).toEqual({ ok: true, ms: 1234 })
  })

  it('refuses what is not a time, in words', () => {
    expect(utc.parse('yesterday', 0)).toEqual({ ok: false, error: expect.stringContaining('YYYY-MM-DD HH:MM') })
    expect(utc.parse('2026-02-30 10:00', 0)).toEqual({
      ok: false,
      error: '2026-02-30 10:00 is not a real date and time',
    })
    expect(utc.parse('2026-03-04 25:00', 0).ok).toBe(false)
    expect(utc.parse('', 0).ok).toBe(false)
  })
})

describe('time format in a zone with daylight saving time (Europe/Paris)', () => {
  it('names the zone with its offset at the time shown', () => {
    expect(paris.label(at('2026-01-15T12:00:00Z'))).toBe('Europe/Paris (UTC+1)')
    expect(paris.label(at('2026-07-15T12:00:00Z'))).toBe('Europe/Paris (UTC+2)')
    expect(paris.offsetMs(at('2026-01-15T12:00:00Z'))).toBe(3_600_000)
  })

  it('shows the wall clock on both sides of the spring change', () => {
    // 2026-03-29: at 01:00 UTC the clocks go from 02:00 to 03:00.
    expect(paris.clock(at('2026-03-29T00:59:59Z'))).toBe('01:59:59')
    expect(paris.clock(at('2026-03-29T01:00:00Z'))).toBe('03:00:00')
    expect(paris.parse('2026-03-29 01:59:59', 0)).toEqual({ ok: true, ms: at('2026-03-29T00:59:59Z') })
    expect(paris.parse('2026-03-29 03:00', 0)).toEqual({ ok: true, ms: at('2026-03-29T01:00:00Z') })
  })

  it('refuses a time the spring change skips, in words', () => {
    expect(paris.parse('2026-03-29 02:30', 0)).toEqual({
      ok: false,
      error: '2026-03-29 02:30 does not exist in Europe/Paris: the clocks skip it',
    })
  })

  it('reads a time the autumn change repeats as the first of the two', () => {
    // 2026-10-25: at 01:00 UTC the clocks go back from 03:00 to 02:00, so 02:30 happens twice.
    expect(paris.parse('2026-10-25 02:30', 0)).toEqual({ ok: true, ms: at('2026-10-25T00:30:00Z') })
    expect(paris.clock(at('2026-10-25T00:30:00Z'))).toBe('02:30:00')
    expect(paris.clock(at('2026-10-25T01:30:00Z'))).toBe('02:30:00')
    expect(paris.parse('2026-10-25 03:30', 0)).toEqual({ ok: true, ms: at('2026-10-25T02:30:00Z') })
  })

  it('round-trips any instant through its input text', () => {
    for (let t = at('2026-10-24T22:00:00Z'); t < at('2026-10-25T04:00:00Z'); t += 17 * 60_000 + 3_000) {
      const back = paris.parse(paris.input(t), 0)
      // The repeated hour reads back as its first occurrence, an hour earlier; every other time exactly.
      expect(back.ok && (back.ms === t || back.ms === t - 3_600_000)).toBe(true)
    }
  })
})

describe('time formats by setting', () => {
  it('uses UTC for the UTC setting whatever this computer’s zone, and this computer’s zone otherwise', () => {
    expect(timeFormat('utc', 'Asia/Kolkata').zone).toBe('UTC')
    const local = timeFormat('local', 'Asia/Kolkata')
    expect(local.zone).toBe('Asia/Kolkata')
    expect(local.label(0)).toBe('Asia/Kolkata (UTC+5:30)')
    expect(timeFormat('local', 'America/St_Johns').label(at('2026-01-15T12:00:00Z'))).toBe(
      'America/St_Johns (UTC−3:30)',
    )
    expect(timeFormat('local', 'Asia/Kolkata')).toBe(local)
  })

  it('calls a computer set to UTC plain UTC', () => {
    expect(timeFormat('local', 'Etc/UTC').label(0)).toBe('UTC')
  })
})

describe("this computer's zone", () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('is read from Intl at most once a minute, so a render does not pay for asking', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 120_000) // past any reading an earlier test left
    const zone = vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions')
    const first = systemTimeZone()
    expect(first).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
    zone.mockClear()
    for (let i = 0; i < 100; i++) expect(systemTimeZone()).toBe(first)
    expect(zone).not.toHaveBeenCalled()
    vi.setSystemTime(Date.now() + 59_000)
    systemTimeZone()
    expect(zone).not.toHaveBeenCalled()
    vi.setSystemTime(Date.now() + 1_000)
    systemTimeZone()
    expect(zone).toHaveBeenCalledTimes(1)
  })
})
