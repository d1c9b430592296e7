import { describe, expect, it } from 'vitest'
import { createAppStore } from './app-store.ts'
import { fakeApi } from './test-api.ts'
import { shareableLink, startUrlSync, type UrlHost } from './url-sync.ts'

/** A page's address and history, kept in memory: entries, the current one, and Back/Forward. */
function page(initialHash = '') {
  const entries = [initialHash]
  let index = 0
  const listeners = new Map<string, Set<() => void>>()
  const fire = (type: string) => listeners.get(type)?.forEach((listener) => listener())
  const host: UrlHost = {
    location: {
      get hash() {
        return entries[index] ?? ''
      },
      get href() {
        return `http://127.0.0.1:7000/${entries[index] ?? ''}`
      },
    },
    history: {
      pushState: (_data, _unused, url) => {
        entries.splice(index + 1, Infinity, url)
        index++
      },
      replaceState: (_data, _unused, url) => {
        entries[index] = url
      },
    },
    addEventListener: (type, listener) => {
      const set = listeners.get(type) ?? new Set()
      set.add(listener)
      listeners.set(type, set)
    },
    removeEventListener: (type, listener) => listeners.get(type)?.delete(listener),
  }
  return {
    host,
    entries,
    back() {
      index--
      fire('popstate')
    },
    /** A hash typed into the address bar: a new entry, announced as a hash change. */
    type(hash: string) {
      entries.splice(index + 1, Infinity, hash)
      index++
      fire('hashchange')
    },
  }
}

const newStore = () => createAppStore(fakeApi().api, 'open')

describe('URL sync', () => {
  it('opens the view a link describes', () => {
    const store = newStore()
    const { host } = page('#/rooms/room10?from=2026-03-04T14:00:00.000Z&to=2026-03-04T14:00:40.000Z&reset=1h&q=ann')
    startUrlSync(store, host)
    const state = store.getState()
    expect(state.view).toBe('rooms')
    expect(state.selectedRoom).toBe('room10')
    expect(state.roomRange).toEqual({
      kind: 'fixed',
      from: Date.UTC(2026, 2, 4, 14, 0, 0),
      to: Date.UTC(2026, 2, 4, 14, 0, 40),
    })
    expect(state.roomResetTo).toEqual({ kind: 'preset', preset: '1h' })
    expect(state.participantsQuery.search).toBe('ann')
  })

  it('writes each change: a new entry for a new view or room, in place for a range or a search', () => {
    const store = newStore()
    const browser = page()
    startUrlSync(store, browser.host)
    expect(browser.entries).toEqual(['#/overview?range=1h'])
    store.getState().toggleChartRoom('room2')
    store.getState().setChartScale('log')
    expect(browser.entries).toEqual(['#/overview?range=1h&pin=room2&scale=log'])
    store.getState().openRoom('room2')
    store.getState().setRoomRange({ kind: 'preset', preset: '24h' })
    expect(browser.entries).toEqual(['#/overview?range=1h&pin=room2&scale=log', '#/rooms/room2?range=24h'])
    // A live tick (or anything not in the URL) writes nothing.
    store.setState({ total: 5 })
    expect(browser.entries).toHaveLength(2)
  })

  it('goes back to the view before, with its parameters', () => {
    const store = newStore()
    const browser = page()
    startUrlSync(store, browser.host)
    store.getState().toggleChartRoom('room7')
    store.getState().openRoom('room7')
    browser.back()
    expect(store.getState().view).toBe('overview')
    expect(store.getState().chartRooms).toEqual(['room7'])
    // Other views keep what they had.
    expect(store.getState().selectedRoom).toBe('room7')
  })

  it('opens something sensible for a hash it cannot read, and says it in its own words', () => {
    const store = newStore()
    const browser = page('#/nowhere?range=forever&pin=&scale=cubic')
    startUrlSync(store, browser.host)
    expect(store.getState().view).toBe('overview')
    expect(store.getState().overviewRange).toEqual({ kind: 'preset', preset: '1h' })
    expect(browser.entries).toEqual(['#/overview?range=1h'])
    browser.type('#/settings')
    expect(store.getState().view).toBe('settings')
    browser.type('#/rooms/%E0%A4%A')
    expect(store.getState().view).toBe('rooms')
    expect(store.getState().selectedRoom).toBeNull()
  })

  it("keeps the Export view's form in the URL: a link opens it, each change is written in place", () => {
    const store = newStore()
    const browser = page('#/export?what=sessions&rooms=chosen&room=room3&to=2026-03-04T14:00:00.000Z&deliver=no')
    startUrlSync(store, browser.host)
    expect(store.getState().view).toBe('export')
    expect(store.getState().exportForm).toMatchObject({
      kind: 'sessions',
      allRooms: false,
      rooms: ['room3'],
      to: Date.UTC(2026, 2, 4, 14),
      deliver: false,
    })
    store.getState().setExportForm({ kind: 'occupancy', layout: 'wide', rooms: ['room3', 'room1'], to: null })
    expect(browser.entries).toEqual(['#/export?layout=wide&rooms=chosen&room=room3&room=room1&deliver=no'])
    store.getState().navigate('overview')
    browser.back()
    expect(store.getState().exportForm).toMatchObject({ layout: 'wide', rooms: ['room3', 'room1'], to: null })
  })

  it('stops following the URL when stopped', () => {
    const store = newStore()
    const browser = page()
    const stop = startUrlSync(store, browser.host)
    stop()
    store.getState().navigate('export')
    expect(browser.entries).toEqual(['#/overview?range=1h'])
  })

  it('shares the full address in web mode and the hash on the desktop', () => {
    const { host } = page('#/rooms/a')
    expect(shareableLink(host, false)).toEqual({ text: 'http://127.0.0.1:7000/#/rooms/a', kind: 'url' })
    expect(shareableLink(host, true)).toEqual({ text: '#/rooms/a', kind: 'hash' })
  })
})
