// @vitest-environment happy-dom
// The chart's room chooser says what it knows: before the first sync, that the rooms are not known yet,
// not that none is occupied.
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../store/app-store.ts'
import { StoreProvider } from '../../store/context.tsx'
import { fakeApi, tickOf } from '../../store/test-api.ts'
import { rootPerTest } from '../../test-root.ts'
import { ChartRoomChooser } from './ChartRoomChooser.tsx'

describe('the chart room chooser', () => {
  const mounted = rootPerTest()

  it('says the rooms are not known before the first sync, and none is occupied once a sync says so', () => {
    const fake = fakeApi({ 'history.series': () => [] })
    const store = createAppStore(fake.api, 'open')
    act(() =>
      mounted.root.render(
        <StoreProvider store={store}>
          <ChartRoomChooser id="chooser" onClose={() => {}} />
        </StoreProvider>,
      ),
    )
    const message = () => mounted.host.querySelector('.chart-message')?.textContent
    expect(message()).toBe('Not known until the first sync.')
    act(() => fake.emit('tick', tickOf(1_000)))
    expect(message()).toBe('No occupied rooms.')
  })
})
