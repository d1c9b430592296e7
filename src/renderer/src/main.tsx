import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { connectApi } from './api/index.ts'
import { App } from './App.tsx'
import { createAppStore } from './store/app-store.ts'
import { StoreProvider } from './store/context.tsx'
import './styles/app.css'

// The access token (web mode beyond loopback) now lives in a cookie; keep it out of history and screenshots.
if (new URLSearchParams(window.location.search).has('token')) {
  window.history.replaceState(null, '', window.location.pathname)
}

const { api, link } = connectApi()
const store = createAppStore(api, link ? link.state : 'open')
if (link) {
  link.onStateChange((state) => {
    store.getState().setLink(state)
    if (state === 'open') void store.getState().refresh()
  })
}
void store.getState().refresh()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
)
