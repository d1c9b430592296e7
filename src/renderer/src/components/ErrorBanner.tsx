import { useAppStore } from '../store/context.tsx'

export function ErrorBanner() {
  const error = useAppStore((state) => state.error)
  const dismiss = useAppStore((state) => state.dismissError)
  if (!error) return null
  return (
    <div className="banner banner-error" role="alert">
      <span>{error}</span>
      <button className="link-button" onClick={dismiss} aria-label="Dismiss error">
        Dismiss
      </button>
    </div>
  )
}
