import { alertNotice, type AlertEvent } from '../../../shared/alerts.ts'

/**
 * Alert notifications in web mode, through the browser's Notification API. Permission is asked once
 * (when the operator saves a rule, or clicks "Allow notifications"), and the asking is remembered in
 * this browser so a dismissed prompt is not pushed again; the browser itself remembers the answer.
 * The desktop app notifies from its main process instead (src/main/alert-notifications.ts).
 */

export type NoticePermission = NotificationPermission | 'unsupported'

const ASKED_KEY = 'headcount.notifications.asked'

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window
}

export function noticePermission(): NoticePermission {
  return supported() ? Notification.permission : 'unsupported'
}

function askedBefore(): boolean {
  try {
    return localStorage.getItem(ASKED_KEY) === 'yes'
  } catch {
    return false
  }
}

/**
 * Asks for permission if it was never asked in this browser (or `again`, the operator's own click);
 * answers the permission as it stands after.
 */
export async function askNoticePermission(again = false): Promise<NoticePermission> {
  if (!supported()) return 'unsupported'
  if (Notification.permission !== 'default' || (askedBefore() && !again)) return Notification.permission
  try {
    localStorage.setItem(ASKED_KEY, 'yes')
  } catch {
    // Storage refused (private mode): the browser may ask again next time; nothing is lost.
  }
  return Notification.requestPermission()
}

/** Shows an alert event as a notification when allowed; one per entry and change, never repeated. */
export function showAlertNotice(event: AlertEvent): void {
  if (noticePermission() !== 'granted') return
  const { title, body } = alertNotice(event)
  const notification = new Notification(title, { body, tag: `headcount-alert-${event.entry.id}-${event.change}` })
  notification.onclick = () => window.focus()
}
