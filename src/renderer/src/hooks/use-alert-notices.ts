import { useEffect } from 'react'
import { showAlertNotice } from '../lib/browser-notifications.ts'
import { useAppFields } from './use-store.ts'

/** Web mode: each alert event the engine sends becomes a browser notification (the desktop's main process shows its own). */
export function useAlertNotices(): void {
  const { notices, take, desktop } = useAppFields((state) => ({
    notices: state.alertNotices,
    take: state.takeAlertNotices,
    desktop: state.engine?.shell === 'desktop',
  }))
  useEffect(() => {
    if (notices.length === 0) return
    const taken = take()
    if (!desktop) for (const event of taken) showAlertNotice(event)
  }, [notices, take, desktop])
}
