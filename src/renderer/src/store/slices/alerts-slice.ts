import type { AlertEntry, AlertEvent, AlertRule, AlertRuleInput } from '../../../../shared/alerts.ts'
import type { ProfileView } from '../../../../shared/profiles.ts'
import { attempt, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'

/** The most log entries kept in the page: the log view's page, with live ones added on top. */
export const ALERT_LOG_KEPT = 500

/**
 * Alerts as the console sees them: the connected app's alert log (loaded from its history, kept
 * current by `alert` events), each connection's rules (kept on its profile in the profiles slice),
 * and the alert events not yet shown as browser notifications.
 */
export interface AlertsSlice {
  /** Newest first; null until loaded (or while not connected). */
  alertLog: AlertEntry[] | null
  alertLogError: string | null
  loadAlertLog(): Promise<void>
  saveAlertRule(profileId: string, rule: AlertRuleInput): Promise<Outcome<AlertRule>>
  deleteAlertRule(profileId: string, ruleId: string): Promise<Outcome<null>>
  /** An `alert` event: its entry replaces the one of the same id, or is added on top. */
  applyAlert(event: AlertEvent): void
  /** Alert events to tell the operator of (web mode shows them as notifications), oldest first. */
  alertNotices: AlertEvent[]
  takeAlertNotices(): AlertEvent[]
}

interface Uses {
  profiles: ProfileView[]
}

/** The log with `entry` in place (same id) or on top, newest first, at most ALERT_LOG_KEPT. */
export function withAlertEntry(log: readonly AlertEntry[], entry: AlertEntry): AlertEntry[] {
  const at = log.findIndex((candidate) => candidate.id === entry.id)
  if (at >= 0) return log.map((candidate, index) => (index === at ? entry : candidate))
  return [entry, ...log].sort((a, b) => b.id - a.id).slice(0, ALERT_LOG_KEPT)
}

export const createAlertsSlice: SliceCreator<AlertsSlice, Uses> = (set, get, api) => {
  const setRules = (profileId: string, change: (rules: AlertRule[]) => AlertRule[]) =>
    set({
      profiles: get().profiles.map((profile) =>
        profile.id === profileId ? { ...profile, alerts: change(profile.alerts) } : profile,
      ),
    })
  return {
    alertLog: null,
    alertLogError: null,
    async loadAlertLog() {
      const outcome = await attempt(async () => (await api.call('alerts.log', { limit: ALERT_LOG_KEPT })).entries)
      if (outcome.ok) {
        // Events that came while the page was asked for are newer than it or the same: keep them.
        const live = get().alertLog ?? []
        let log = outcome.value
        for (const entry of live) log = withAlertEntry(log, entry)
        set({ alertLog: log, alertLogError: null })
      } else set({ alertLog: null, alertLogError: outcome.error.message })
    },
    async saveAlertRule(profileId, rule) {
      const outcome = await attempt(() => api.call('alerts.saveRule', { id: profileId, rule }))
      if (outcome.ok) {
        const saved = outcome.value
        setRules(profileId, (rules) =>
          rules.some((candidate) => candidate.id === saved.id)
            ? rules.map((candidate) => (candidate.id === saved.id ? saved : candidate))
            : [...rules, saved],
        )
      }
      return outcome
    },
    async deleteAlertRule(profileId, ruleId) {
      const outcome = await attempt(() => api.call('alerts.deleteRule', { id: profileId, ruleId }))
      if (outcome.ok) setRules(profileId, (rules) => rules.filter((rule) => rule.id !== ruleId))
      return outcome
    },
    applyAlert(event) {
      set({
        alertLog: withAlertEntry(get().alertLog ?? [], event.entry),
        alertNotices: [...get().alertNotices, event].slice(-20),
      })
    },
    alertNotices: [],
    takeAlertNotices() {
      const notices = get().alertNotices
      if (notices.length) set({ alertNotices: [] })
      return notices
    },
  }
}
