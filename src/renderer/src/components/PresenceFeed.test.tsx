// @vitest-environment happy-dom
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import type { PresenceEvent } from '../../../shared/presence.ts'
import { createAppStore } from '../store/app-store.ts'
import { StoreProvider } from '../store/context.tsx'
import { fakeApi } from '../store/test-api.ts'
import { PresenceFeed } from './PresenceFeed.tsx'
import { rootPerTest } from '../test-root.ts'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}

const joins = (n: number): PresenceEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'join', room: 'lobby', user: `u${i}`, group: null, at: 1_000 + i }))

describe("a room's feed of joins and leaves", () => {
  const mounted = rootPerTest()

  const heading = (events: PresenceEvent[], limit: number, since: number | null = null) => {
    const store = createAppStore(fakeApi().api, 'open')
    act(() =>
      mounted.root.render(
        <StoreProvider store={store}>
          <PresenceFeed events={events} limit={limit} since={since} />
        </StoreProvider>,
      ),
    )
    return mounted.host.querySelector('h2')?.textContent
  }

  it('names its window while it holds all of it, and says it shows only the latest once it is full', () => {
    expect(heading(joins(3), 500)).toBe('Joins and leaves · last 10 min')
    expect(heading(joins(500), 500)).toBe('Joins and leaves · the latest 500')
    expect(heading(joins(1_000), 1_000)).toBe('Joins and leaves · the latest 1,000')
  })

  it('names the time it covers from when the engine has had them all for less than its window', () => {
    const now = Date.now()
    // The engine began watching (or restarted) two minutes ago: it has nothing from before.
    expect(heading(joins(3), 500, now - 2 * 60_000)).toMatch(/^Joins and leaves · since \d\d:\d\d(:\d\d)?$/)
    expect(heading(joins(3), 500, now - 20 * 60_000)).toBe('Joins and leaves · last 10 min')
    expect(heading(joins(500), 500, now - 2 * 60_000)).toBe('Joins and leaves · the latest 500')
  })
})
