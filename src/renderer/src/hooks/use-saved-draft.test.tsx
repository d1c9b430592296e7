// @vitest-environment happy-dom
import { act } from 'react'
import { describe, expect, it } from 'vitest'
import { useSavedDraft } from './use-saved-draft.ts'
import { rootPerTest } from '../test-root.ts'

declare global {
  var IS_REACT_ACT_ENVIRONMENT: boolean | undefined
}

function Form({ saved }: { saved: { interval: string } }) {
  const [draft, setDraft] = useSavedDraft(saved)
  return (
    <>
      <output>{draft.interval}</output>
      <button type="button" onClick={() => setDraft({ interval: '9' })}>
        type 9
      </button>
    </>
  )
}

describe('useSavedDraft', () => {
  const mounted = rootPerTest()
  const shown = () => mounted.host.querySelector('output')?.textContent
  const render = (interval: string) => act(() => mounted.root.render(<Form saved={{ interval }} />))

  it('follows the saved value while untouched, and keeps an edit not yet saved', () => {
    render('5')
    expect(shown()).toBe('5')
    // Saved elsewhere: an untouched form follows.
    render('7')
    expect(shown()).toBe('7')
    // The same value in a new object is no change.
    render('7')
    act(() => mounted.host.querySelector('button')?.click())
    expect(shown()).toBe('9')
    // Saved elsewhere while edited here: the edit stays.
    render('11')
    expect(shown()).toBe('9')
    // Once this form's own edit is saved, it follows again.
    render('9')
    expect(shown()).toBe('9')
    render('12')
    expect(shown()).toBe('12')
  })
})
