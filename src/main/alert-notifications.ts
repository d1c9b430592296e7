import { Notification } from 'electron'
import { alertNotice } from '../shared/alerts.ts'
import type { EngineEvents } from '../core/events.ts'

/**
 * The desktop's alert notifications: each `alert` event of the engine shown (this computer's or a
 * shared server's) becomes a system notification, whether the window is open, hidden or closed;
 * clicking one brings the console forward. Returns the unsubscribe.
 */
export function notifyAlerts(events: Pick<EngineEvents, 'onAny'>, showConsole: () => void): () => void {
  return events.onAny((event, payload) => {
    if (event !== 'alert' || !Notification.isSupported()) return
    const notification = new Notification(alertNotice(payload as Parameters<typeof alertNotice>[0]))
    notification.on('click', showConsole)
    notification.show()
  })
}
