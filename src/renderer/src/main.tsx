import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { engineIdentity } from '../../shared/engine-choice.ts'
import { connectApi } from './api/index.ts'
import { App } from './App.tsx'
import { createAppStore } from './store/app-store.ts'
import { StoreProvider } from './store/context.tsx'
import { startUrlSync } from './store/url-sync.ts'
import './styles/app.css'

// The access token (web mode beyond loopback) now lives in a cookie; keep it out of history and screenshots
// (the hash, which says which view to open, stays).
if (new URLSearchParams(window.location.search).has('token')) {
  window.history.replaceState(null, '', window.location.pathname + window.location.hash)
}

const { api, link } = connectApi()
const store = createAppStore(api, link ? link.state : 'open')
// The view, room, range, chosen rooms, search and sort live in the URL's hash: a reload or a link lands there.
startUrlSync(store, window)
if (link) {
  link.onStateChange((state, problem) => {
    store.getState().setLink(state, problem)
    if (state === 'open') void store.getState().refresh()
  })
  void store.getState().refresh()
}

// Which engine is shown: on the desktop, this computer's or a shared server's. A switch to another one
// starts the page afresh, since everything on screen (rooms, charts, connections, exports) came from
// the engine before: a reload is the one way none of it lingers beside the new engine's figures.
let shownEngine: string | null = null
api.on('engine', (view) => {
  if (shownEngine !== null && engineIdentity(view) !== shownEngine) {
    // Afresh means the view too: the room, range and pins in the URL were the other engine's.
    window.history.replaceState(null, '', window.location.pathname + window.location.search)
    window.location.reload()
    return
  }
  store.getState().applyEngine(view)
})
void store
  .getState()
  .loadEngine()
  .then((view) => {
    shownEngine = view && engineIdentity(view)
    // The desktop loads once its engine is reachable (at once for this computer's; a shared server's
    // link opening loads it then). In web mode the page loaded above already.
    if (!link && store.getState().link === 'open') void store.getState().refresh()
  })

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
)
