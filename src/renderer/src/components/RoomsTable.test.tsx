// @vitest-environment happy-dom
import { act, Profiler } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Series } from '../../../shared/history.ts'
import type { RoomSummaryView, Tick } from '../../../shared/presence.ts'
import { createAppStore, type AppStore } from '../store/app-store.ts'
import { StoreProvider } from '../store/context.tsx'
import { fakeApi } from '../store/test-api.ts'
import { ROW_HEIGHT, RoomsTable } from './RoomsTable.tsx'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}

const room = (name: string, count: number): RoomSummaryView => ({ room: name, count, groups: {} })

function tick(seq: number, changed: RoomSummaryView[], total: number): Tick {
  return {
    at: seq * 1_000,
    stream: 'r1',
    seq,
    source: 'poll',
    total,
    roomCount: 0,
    channels: total,
    unmatched: 0,
    joins: 0,
    leaves: 0,
    baseline: false,
    drift: 0,
    changed,
    removed: [],
    recent: [],
  }
}

describe('the rooms table, live', () => {
  // The page has no layout here: the table's scrolling box is given the height it has in a browser,
  // so the virtualised table draws the rows in view.
  const sizes = ['clientHeight', 'clientWidth'] as const
  const native = sizes.map((name) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, name))
  beforeAll(() => {
    for (const name of sizes)
      Object.defineProperty(HTMLElement.prototype, name, {
        configurable: true,
        get(this: HTMLElement) {
          return this.classList.contains('rooms-scroll') ? (name === 'clientHeight' ? 12 * ROW_HEIGHT : 800) : 0
        },
      })
  })
  afterAll(() => {
    sizes.forEach((name, index) => {
      const descriptor = native[index]
      if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor)
      else Reflect.deleteProperty(HTMLElement.prototype, name)
    })
  })

  let host: HTMLDivElement
  let root: Root
  let store: AppStore
  let emit: (event: string, payload: unknown) => void
  let commits: number
  /** What changed in the table's rows since the last look: cells (their text, or an attribute), by room. */
  let observer: MutationObserver
  let changedCells: () => string[]
  /** What the history answers for sparklines. */
  let series: Series[]

  beforeEach(() => {
    globalThis.IS_REACT_ACT_ENVIRONMENT = true
    series = []
    const fake = fakeApi({ 'history.series': () => series })
    store = createAppStore(fake.api, 'open')
    emit = fake.emit
    host = document.createElement('div')
    document.body.append(host)
    root = createRoot(host)
    commits = 0
    act(() => emit('tick', tick(1, [room('a', 9), room('b', 7), room('c', 5), room('d', 3), room('e', 1)], 25)))
    act(() =>
      root.render(
        <StoreProvider store={store}>
          <Profiler id="rooms" onRender={() => commits++}>
            <RoomsTable />
          </Profiler>
        </StoreProvider>,
      ),
    )
    let records: MutationRecord[] = []
    observer = new MutationObserver((found) => records.push(...found))
    observer.observe(host, { subtree: true, characterData: true, childList: true, attributes: true })
    changedCells = () => {
      records.push(...observer.takeRecords())
      const cells = new Set<string>()
      for (const record of records) {
        const node = record.target instanceof Element ? record.target : record.target.parentElement
        const row = node?.closest('.rooms-scroll [role="row"]')
        if (!row) continue
        const where = node?.closest('[role="cell"]')?.className ?? node?.className
        const what = record.type === 'attributes' ? `@${record.attributeName}` : ''
        cells.add(`${row.querySelector('.cell-room')?.textContent}/${where}${what}`)
      }
      records = []
      return [...cells].sort()
    }
    commits = 0
  })

  afterEach(() => {
    observer.disconnect()
    act(() => root.unmount())
    host.remove()
  })

  const shown = () =>
    [...host.querySelectorAll('.rooms-scroll [role="row"]')].map(
      (row) => `${row.querySelector('.cell-room')?.textContent} ${row.querySelector('.cell-count')?.textContent}`,
    )

  it('shows the rooms busiest first', () => {
    expect(shown()).toEqual(['a 9', 'b 7', 'c 5', 'd 3', 'e 1'])
  })

  it('draws nothing again for a tick that changes nothing', () => {
    act(() => emit('tick', tick(2, [], 25)))
    // The same summary sent again is no change either.
    act(() => emit('tick', tick(3, [room('c', 5)], 25)))
    expect(commits).toBe(0)
    expect(changedCells()).toEqual([])
    expect(shown()).toEqual(['a 9', 'b 7', 'c 5', 'd 3', 'e 1'])
  })

  it('changes only the number of the room that changed, when the total stays', () => {
    // Someone left c as someone else arrived in d: both numbers change, and only those cells.
    act(() => emit('tick', tick(2, [room('c', 4), room('d', 4)], 25)))
    expect(shown()).toEqual(['a 9', 'b 7', 'c 4', 'd 4', 'e 1'])
    expect(changedCells()).toEqual([
      'c/cell-count',
      'c/cell-share',
      'c/cell-share@style',
      'c/rooms-row@aria-label',
      'd/cell-count',
      'd/cell-share',
      'd/cell-share@style',
      'd/rooms-row@aria-label',
    ])
  })

  it("ends a room's trend on its live count, not on the history's figure of its last fetch", async () => {
    const now = Date.now()
    // Fetched when room a held 8; it holds 9 now, and 10 after the next tick.
    series = [
      {
        room: 'a',
        points: [
          { t: now - 10 * 60_000, value: 4 },
          { t: now - 60_000, value: 8 },
        ],
      },
    ]
    await act(() => store.getState().loadSparklines(['a'], now))
    const caption = () => host.querySelector('.rooms-scroll [role="row"] .cell-trend title')?.textContent
    expect(caption()).toBe('Trend of a, last 15 minutes: 4 → 9 (low 4, high 9)')
    act(() => emit('tick', tick(2, [room('a', 10)], 26)))
    expect(caption()).toBe('Trend of a, last 15 minutes: 4 → 10 (low 4, high 10)')
  })

  it('moves a room up when its count passes another', () => {
    act(() => emit('tick', tick(2, [room('e', 8)], 32)))
    expect(shown()).toEqual(['a 9', 'e 8', 'b 7', 'c 5', 'd 3'])
    act(() => emit('tick', tick(3, [room('a', 2)], 25)))
    expect(shown()).toEqual(['e 8', 'b 7', 'c 5', 'd 3', 'a 2'])
  })
})

describe('the rooms table before the first sync', () => {
  it('says the rooms are not known yet, not that none is occupied, until a sync says so', () => {
    globalThis.IS_REACT_ACT_ENVIRONMENT = true
    const fake = fakeApi({ 'history.series': () => [] })
    const store = createAppStore(fake.api, 'open')
    const host = document.createElement('div')
    document.body.append(host)
    const root = createRoot(host)
    act(() =>
      root.render(
        <StoreProvider store={store}>
          <RoomsTable />
        </StoreProvider>,
      ),
    )
    const badge = () => host.querySelector('.count-badge')?.textContent
    const message = () => host.querySelector('.rooms-empty')?.textContent
    expect(badge()).toBe('—')
    expect(message()).toBe('Not known until the first sync.')
    act(() => fake.emit('tick', tick(1, [], 0)))
    expect(badge()).toBe('0')
    expect(message()).toBe('No occupied rooms.')
    act(() => root.unmount())
    host.remove()
  })
})
