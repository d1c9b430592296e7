import { useShallow } from 'zustand/react/shallow'
import { selectStatusLine } from '../store/selectors.ts'
import { useAppStore } from '../store/context.tsx'

export function StatusBar() {
  const line = useAppStore(useShallow(selectStatusLine))
  const info = useAppStore((state) => state.info)
  return (
    <footer className="status-bar" role="status" aria-label="Status bar" aria-live="polite">
      <span className={`status-dot tone-${line.tone}`} aria-hidden="true" />
      <span className="status-text" data-tone={line.tone}>
        {line.text}
      </span>
      <span className="status-spacer" />
      {info && (
        <span className="status-meta" aria-label="Runtime">
          Headcount {info.version} · {info.runtime === 'electron' ? 'desktop' : 'web mode'}
        </span>
      )}
    </footer>
  )
}
