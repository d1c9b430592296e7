// @vitest-environment happy-dom
import { act, useRef } from 'react'
import { createRoot } from 'react-dom/client'
import { describe, expect, it } from 'vitest'
import { rovingTarget, useRovingIndex, type RovingOptions } from './use-roving-index.ts'
import { rootPerTest } from '../test-root.ts'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}

describe('roving target', () => {
  const list: RovingOptions = { count: 50, pageSize: 10 }

  it('steps with the arrows of its orientation, and jumps with Home, End and the page keys', () => {
    expect(rovingTarget('ArrowDown', 3, list)).toBe(4)
    expect(rovingTarget('ArrowUp', 3, list)).toBe(2)
    expect(rovingTarget('Home', 30, list)).toBe(0)
    expect(rovingTarget('End', 3, list)).toBe(49)
    expect(rovingTarget('PageDown', 45, list)).toBe(49)
    expect(rovingTarget('PageUp', 4, list)).toBe(0)
    expect(rovingTarget('PageDown', 4, list)).toBe(14)
    expect(rovingTarget('ArrowRight', 3, list)).toBeNull()
    expect(rovingTarget('Enter', 3, list)).toBeNull()
    const toolbar: RovingOptions = { count: 4, orientation: 'horizontal' }
    expect(rovingTarget('ArrowRight', 1, toolbar)).toBe(2)
    expect(rovingTarget('ArrowDown', 1, toolbar)).toBeNull()
    expect(rovingTarget('PageDown', 1, toolbar)).toBeNull()
  })

  it('stops at the ends of a list, and comes round in a radio group', () => {
    expect(rovingTarget('ArrowDown', 49, list)).toBe(49)
    expect(rovingTarget('ArrowUp', 0, list)).toBe(0)
    const radios: RovingOptions = { count: 5, orientation: 'horizontal', wrap: true }
    expect(rovingTarget('ArrowRight', 4, radios)).toBe(0)
    expect(rovingTarget('ArrowLeft', 0, radios)).toBe(4)
    expect(rovingTarget('ArrowDown', 0, { count: 0 })).toBeNull()
  })
})

function List({ names, revealed }: { names: string[]; revealed: number[] }) {
  const ref = useRef<HTMLUListElement>(null)
  const roving = useRovingIndex(ref, { count: names.length, reveal: (index) => revealed.push(index) })
  return (
    <>
      <button type="button">before</button>
      <ul ref={ref} onKeyDown={roving.onKeyDown}>
        {names.map((name, index) => (
          <li key={name} {...roving.itemProps(index)}>
            {name}
          </li>
        ))}
      </ul>
      <button type="button">after</button>
    </>
  )
}

describe('useRovingIndex', () => {
  const mounted = rootPerTest()

  const items = () => [...mounted.host.querySelectorAll('li')]
  const tabStops = () =>
    [...mounted.host.querySelectorAll<HTMLElement>('button, [tabindex="0"]')].map((node) => node.textContent)
  const press = (key: string) =>
    act(() => {
      document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
    })

  it('makes the list one tab stop and moves the focus with the arrow keys', () => {
    act(() => mounted.root.render(<List names={['a', 'b', 'c', 'd']} revealed={[]} />))
    expect(tabStops()).toEqual(['before', 'a', 'after'])
    act(() => items()[0]?.focus())
    press('ArrowDown')
    press('ArrowDown')
    expect(document.activeElement?.textContent).toBe('c')
    expect(tabStops()).toEqual(['before', 'c', 'after'])
    press('End')
    expect(document.activeElement?.textContent).toBe('d')
    press('ArrowDown')
    expect(document.activeElement?.textContent).toBe('d')
    press('Home')
    expect(document.activeElement?.textContent).toBe('a')
  })

  it('takes the stop to an item focused by the mouse, and keeps it in range when the list shrinks', () => {
    const revealed: number[] = []
    act(() => mounted.root.render(<List names={['a', 'b', 'c', 'd']} revealed={revealed} />))
    act(() => items()[3]?.focus())
    expect(tabStops()).toEqual(['before', 'd', 'after'])
    act(() => mounted.root.render(<List names={['a', 'b']} revealed={revealed} />))
    expect(tabStops()).toEqual(['before', 'b', 'after'])
    // Items in the DOM are focused at once; nothing needed revealing.
    expect(revealed).toEqual([])
  })

  it('asks a virtualised list to reveal an item that is not drawn yet', () => {
    const revealed: number[] = []
    act(() => mounted.root.render(<List names={['a', 'b', 'c']} revealed={revealed} />))
    act(() => items()[0]?.focus())
    act(() => items()[2]?.remove())
    press('End')
    expect(revealed).toEqual([2])
  })
})

function Radios({ checked, onChoose }: { checked: number; onChoose(index: number): void }) {
  const ref = useRef<HTMLDivElement>(null)
  const roving = useRovingIndex(ref, { count: 3, orientation: 'horizontal', wrap: true, stop: checked })
  return (
    <div
      ref={ref}
      role="radiogroup"
      onKeyDown={(event) => {
        const target = roving.onKeyDown(event)
        if (target !== null) onChoose(target)
      }}
    >
      {['5 min', '1 h', '24 h'].map((label, index) => (
        <button key={label} type="button" role="radio" aria-checked={index === checked} {...roving.itemProps(index)}>
          {label}
        </button>
      ))}
    </div>
  )
}

describe('useRovingIndex with a fixed stop (a radio group)', () => {
  it('keeps the checked option as the tab stop and moves from the focused one', () => {
    globalThis.IS_REACT_ACT_ENVIRONMENT = true
    const host = document.createElement('div')
    document.body.append(host)
    const root = createRoot(host)
    const chosen: number[] = []
    act(() => root.render(<Radios checked={1} onChoose={(index) => chosen.push(index)} />))
    const stops = () => [...host.querySelectorAll('[tabindex="0"]')].map((node) => node.textContent)
    expect(stops()).toEqual(['1 h'])
    act(() => host.querySelectorAll('button')[0]?.focus())
    expect(stops()).toEqual(['1 h'])
    act(() => {
      document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }))
    })
    expect(chosen).toEqual([2])
    expect(document.activeElement?.textContent).toBe('24 h')
    act(() => root.unmount())
    host.remove()
  })
})
