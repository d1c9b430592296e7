import { parseLocation, serializeLocation, type ViewLocation } from '../lib/url-state.ts'
import type { AppState, AppStore } from './app-store.ts'

/** The part of `window` the URL sync uses, so tests can give it a page of their own. */
export interface UrlHost {
  location: { hash: string; href: string }
  history: {
    pushState(data: unknown, unused: string, url: string): void
    replaceState(data: unknown, unused: string, url: string): void
  }
  addEventListener(type: 'hashchange' | 'popstate', listener: () => void): void
  removeEventListener(type: 'hashchange' | 'popstate', listener: () => void): void
}

/** Where the console is now: the shown view and its parameters. */
export function locationOf(state: AppState): ViewLocation {
  if (state.view === 'overview')
    return {
      view: 'overview',
      range: state.overviewRange,
      resetTo: state.overviewResetTo,
      pins: state.chartRooms,
      hidden: state.hiddenSeries,
      scale: state.chartScale,
      rooms: state.roomsQuery,
    }
  if (state.view === 'rooms')
    return {
      view: 'rooms',
      range: state.roomRange,
      resetTo: state.roomResetTo,
      room: state.selectedRoom,
      participants: state.participantsQuery,
    }
  if (state.view === 'export') return { view: 'export', form: state.exportForm }
  return { view: state.view }
}

/** The store's fields for a location: its view and that view's parameters; other views keep theirs. */
export function stateFor(location: ViewLocation): Partial<AppState> {
  if (location.view === 'overview')
    return {
      view: 'overview',
      overviewRange: location.range,
      overviewResetTo: location.resetTo,
      chartRooms: location.pins,
      hiddenSeries: location.hidden,
      chartScale: location.scale,
      roomsQuery: location.rooms,
    }
  if (location.view === 'rooms')
    return {
      view: 'rooms',
      roomRange: location.range,
      roomResetTo: location.resetTo,
      selectedRoom: location.room,
      participantsQuery: location.participants,
    }
  if (location.view === 'export') return { view: 'export', exportForm: location.form }
  return { view: location.view }
}

/** The fields a location is made of: anything else changing (a tick) is not looked at. */
const WATCHED = [
  'view',
  'selectedRoom',
  'overviewRange',
  'overviewResetTo',
  'roomRange',
  'roomResetTo',
  'chartRooms',
  'hiddenSeries',
  'chartScale',
  'roomsQuery',
  'participantsQuery',
  'exportForm',
] as const satisfies readonly (keyof AppState)[]

/**
 * Keeps the URL's hash and the console's view in step. On start the hash, if any, sets the view (a
 * reload or a shared link lands where it was); each change of view or room is a new history entry, so
 * Back goes back to it, while a range, search or sort changes the current entry in place; Back,
 * Forward or a hash typed by hand set the view again. Returns the way to stop.
 */
export function startUrlSync(store: AppStore, host: UrlHost): () => void {
  const hashOf = (state: AppState) => serializeLocation(locationOf(state))
  let applying = false
  let written = ''
  // Sets the view from the URL, then writes the URL back in its own words (a hand-edited or partly
  // unreadable hash becomes the view it opened), in place: no new history entry.
  const fromUrl = () => {
    const location = parseLocation(host.location.hash)
    applying = true
    try {
      if (serializeLocation(location) !== hashOf(store.getState())) store.setState(stateFor(location))
    } finally {
      applying = false
    }
    written = hashOf(store.getState())
    if (host.location.hash !== written) host.history.replaceState(null, '', written)
  }
  if (host.location.hash.length > 1) fromUrl()
  else {
    written = hashOf(store.getState())
    host.history.replaceState(null, '', written)
  }

  const unsubscribe = store.subscribe((state, previous) => {
    if (applying || WATCHED.every((field) => state[field] === previous[field])) return
    const hash = hashOf(state)
    if (hash === written) return
    const newPlace =
      state.view !== previous.view || (state.view === 'rooms' && state.selectedRoom !== previous.selectedRoom)
    if (newPlace) host.history.pushState(null, '', hash)
    else host.history.replaceState(null, '', hash)
    written = hash
  })
  const onNavigate = () => {
    if (host.location.hash !== written) fromUrl()
  }
  host.addEventListener('popstate', onNavigate)
  host.addEventListener('hashchange', onNavigate)
  return () => {
    unsubscribe()
    host.removeEventListener('popstate', onNavigate)
    host.removeEventListener('hashchange', onNavigate)
  }
}

/**
 * The link to share for the view shown: the page's full address in web mode (it opens the same view
 * for anyone who can reach this console), and the hash alone on the desktop, whose file:// address
 * means nothing on another machine.
 */
export function shareableLink(
  host: Pick<UrlHost, 'location'>,
  desktop: boolean,
): { text: string; kind: 'url' | 'hash' } {
  if (desktop) return { text: host.location.hash || '#/overview', kind: 'hash' }
  return { text: host.location.href, kind: 'url' }
}
