// Test support: a React root rendering into a fresh element of the document for each test, unmounted after.
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach } from 'vitest'

export interface MountedRoot {
  host: HTMLDivElement
  root: Root
}

/** Called in a describe block: `host` and `root` of what it returns are fresh in each of its tests. */
export function rootPerTest(): MountedRoot {
  const mounted = {} as MountedRoot
  beforeEach(() => {
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true
    mounted.host = document.createElement('div')
    document.body.append(mounted.host)
    mounted.root = createRoot(mounted.host)
  })
  afterEach(() => {
    act(() => mounted.root.unmount())
    mounted.host.remove()
  })
  return mounted
}
