import { useState } from 'react'

/**
 * A form's draft of a value the engine keeps. When the saved value changes (this page saved it, or
 * another page on the same engine did), an untouched draft follows it; a draft the operator has edited
 * and not saved is kept, so nothing typed is lost. Values are compared by their JSON.
 */
export function useSavedDraft<T>(saved: T): [T, (next: T) => void] {
  const [state, setState] = useState({ base: saved, draft: saved })
  let current = state
  if (JSON.stringify(saved) !== JSON.stringify(state.base)) {
    const edited = JSON.stringify(state.draft) !== JSON.stringify(state.base)
    current = { base: saved, draft: edited ? state.draft : saved }
    // Adjusting state while rendering, as React documents for state derived from a prop's change.
    setState(current)
  }
  return [current.draft, (draft: T) => setState((previous) => ({ ...previous, draft }))]
}
