import { useCallback, useState, type KeyboardEvent, type RefObject } from 'react'

export type RovingOrientation = 'vertical' | 'horizontal'

export interface RovingOptions {
  count: number
  /** Which arrow keys move: up/down for lists and tables, left/right for toolbars and radio groups. */
  orientation?: RovingOrientation
  /** How far Page Up and Page Down move (lists only). */
  pageSize?: number
  /** Whether moving past an end comes round to the other (radio groups do; long lists don't). */
  wrap?: boolean
}

/**
 * The item a key moves the focus to in a list of `count`, or null when the key is not a move. Arrow
 * keys step, Home and End jump to the ends, Page Up and Page Down step a page in a vertical list.
 */
export function rovingTarget(key: string, index: number, options: RovingOptions): number | null {
  const { count, orientation = 'vertical', pageSize = 10, wrap = false } = options
  if (count <= 0) return null
  const [back, forward] = orientation === 'vertical' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight']
  let next: number
  if (key === forward) next = index + 1
  else if (key === back) next = index - 1
  else if (key === 'Home') return 0
  else if (key === 'End') return count - 1
  else if (orientation === 'vertical' && key === 'PageDown') return Math.min(count - 1, index + pageSize)
  else if (orientation === 'vertical' && key === 'PageUp') return Math.max(0, index - pageSize)
  else return null
  if (wrap) return (next + count) % count
  return Math.max(0, Math.min(count - 1, next))
}

export interface RovingIndex {
  /** The one item in the tab order. */
  active: number
  /** Props for item `index`: only the active one is tabbable; focusing any makes it active. */
  itemProps(index: number): { tabIndex: 0 | -1; 'data-roving-index': number; onFocus(): void }
  /** Handles a move key on the list (focusing the target) and returns the target; null for other keys. */
  onKeyDown(event: KeyboardEvent): number | null
  setActive(index: number): void
}

/**
 * A roving tab stop: a list is one stop in the Tab order, and the arrow keys move inside it (WAI-ARIA's
 * roving tabindex). Items carry `data-roving-index` within `container`; `reveal` is asked first to bring
 * an item into the DOM (a virtualised list scrolls to it), and the focus follows once it is there.
 */
export function useRovingIndex(
  container: RefObject<HTMLElement | null>,
  options: RovingOptions & {
    reveal?(index: number): void
    /** Fixes the tab stop (a radio group's is its checked option); otherwise it follows the focus. */
    stop?: number
  },
): RovingIndex {
  const [active, setActiveState] = useState(0)
  const clamped = Math.max(0, Math.min(options.stop ?? active, options.count - 1))
  const { reveal } = options

  const focusItem = useCallback(
    (index: number) => {
      const find = () => container.current?.querySelector<HTMLElement>(`[data-roving-index="${index}"]`) ?? null
      const item = find()
      if (item) return item.focus()
      reveal?.(index)
      // A virtualised list draws the row on its next render: focus it then.
      requestAnimationFrame(() => find()?.focus())
    },
    [container, reveal],
  )

  const onKeyDown = (event: KeyboardEvent): number | null => {
    // Moves start from the item with the focus, which is the tab stop unless the stop is fixed.
    const focused = (event.target as HTMLElement).closest?.('[data-roving-index]')?.getAttribute('data-roving-index')
    const from = focused == null ? clamped : Number(focused)
    const target = rovingTarget(event.key, from, options)
    if (target === null) return null
    event.preventDefault()
    setActiveState(target)
    focusItem(target)
    return target
  }

  return {
    active: clamped,
    itemProps: (index) => ({
      tabIndex: index === clamped ? 0 : -1,
      'data-roving-index': index,
      onFocus: () => setActiveState(index),
    }),
    onKeyDown,
    setActive: setActiveState,
  }
}
