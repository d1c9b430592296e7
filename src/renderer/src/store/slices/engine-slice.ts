import type { EngineSwitchResult, EngineView, RemoteServerInput } from '../../../../shared/engine-choice.ts'
import { attempt, type Outcome } from '../outcome.ts'
import type { LinkState } from '../../api/ws-transport.ts'
import type { ConnectionSlice } from './connection-slice.ts'
import type { SliceCreator } from './types.ts'

export interface EngineSlice {
  /** Which engine this console shows (this computer's or a shared server's); null until asked. */
  engine: EngineView | null
  /** Asks the shell which engine is shown; at start. */
  loadEngine(): Promise<EngineView | null>
  /** The engine shown or its link changed: the link state follows a shared server's. */
  applyEngine(view: EngineView): void
  showRemoteEngine(input: RemoteServerInput): Promise<Outcome<EngineSwitchResult>>
  showLocalEngine(): Promise<Outcome<EngineView>>
}

type Uses = Pick<ConnectionSlice, 'link' | 'setLink' | 'refresh'>

/** A shared server's link as the console's link to its engine: only a connected one is open. */
export function linkOf(view: EngineView): { link: LinkState; problem: string | null } {
  if (view.shown.kind === 'local') return { link: 'open', problem: null }
  if (view.shown.state === 'connected') return { link: 'open', problem: null }
  if (view.shown.state === 'connecting') return { link: 'connecting', problem: null }
  return { link: 'closed', problem: `Shared server ${view.shown.url}: ${view.shown.problem ?? 'not connected'}` }
}

export const createEngineSlice: SliceCreator<EngineSlice, Uses> = (set, get, api) => ({
  engine: null,
  async loadEngine() {
    const outcome = await attempt(() => api.call('engine.get'))
    if (!outcome.ok) return null
    get().applyEngine(outcome.value)
    return outcome.value
  },
  applyEngine(view) {
    set({ engine: view })
    // Only the desktop follows a shared server's link; a web page's link is its own socket.
    if (view.shell !== 'desktop') return
    const wasOpen = get().link === 'open'
    const { link, problem } = linkOf(view)
    get().setLink(link, problem)
    if (link === 'open' && !wasOpen) void get().refresh()
  },
  showRemoteEngine: (input) => attempt(() => api.call('engine.useRemote', input)),
  showLocalEngine: () => attempt(() => api.call('engine.useLocal')),
})
