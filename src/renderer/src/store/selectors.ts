import type { AppState } from './app-store.ts'

export type Tone = 'ok' | 'busy' | 'idle' | 'error'

/** Dark or light, resolving `system` from the OS preference. */
export function selectTheme(state: Pick<AppState, 'settings'>, systemPrefersDark: boolean): 'light' | 'dark' {
  const theme = state.settings?.theme ?? 'system'
  if (theme === 'system') return systemPrefersDark ? 'dark' : 'light'
  return theme
}

/** One line and a tone for the status bar; a dead link to the engine outranks anything it last said. */
export function selectStatusLine(state: Pick<AppState, 'link' | 'status'>): { tone: Tone; text: string } {
  if (state.link === 'closed') return { tone: 'error', text: 'Lost contact with the Headcount server; retrying…' }
  if (state.link === 'connecting' || !state.status) return { tone: 'busy', text: 'Starting…' }
  const { connection, message, profile } = state.status
  const prefix = profile ? `${profile}: ` : ''
  switch (connection) {
    case 'connected':
      return { tone: 'ok', text: `${prefix}${message}` }
    case 'connecting':
      return { tone: 'busy', text: `${prefix}${message}` }
    case 'error':
      return { tone: 'error', text: `${prefix}${message}` }
    default:
      return { tone: 'idle', text: message }
  }
}

export function selectSecretWarning(state: Pick<AppState, 'info'>): string | null {
  return state.info?.secretStorage.warning ?? null
}
