import { useEffect, useState } from 'react'
import { shareableLink } from '../store/url-sync.ts'

/** The desktop app has the engine's bridge; a browser showing web mode does not. */
const DESKTOP = typeof window !== 'undefined' && window.headcount !== undefined

/**
 * "Copy link to this view": the page's address in web mode, which opens this very view for anyone who
 * can reach the console; on the desktop the hash alone (its file:// address means nothing elsewhere),
 * which put after a web console's address, or pasted back here, opens the same view. Says which it
 * copied, and shows the text to copy by hand when the clipboard refuses.
 */
export function CopyViewLink() {
  const [result, setResult] = useState<{ text: string; copied: boolean; kind: 'url' | 'hash' } | null>(null)
  useEffect(() => {
    if (!result?.copied) return
    const timer = setTimeout(() => setResult(null), 4000)
    return () => clearTimeout(timer)
  }, [result])
  const copy = async () => {
    const link = shareableLink(window, DESKTOP)
    try {
      await navigator.clipboard.writeText(link.text)
      setResult({ ...link, copied: true })
    } catch {
      setResult({ ...link, copied: false })
    }
  }
  return (
    <div className="copy-link">
      <button type="button" className="ghost-button" onClick={() => void copy()}>
        Copy link to this view
      </button>
      <span className="copy-link-result muted" role="status">
        {result?.copied &&
          (result.kind === 'url'
            ? 'Copied this page’s address: it opens this view.'
            : 'Copied this view’s hash (#/…): add it to a web console’s address to open this view there.')}
      </span>
      {result && !result.copied && (
        <label className="copy-link-manual">
          The clipboard is not available; copy this {result.kind === 'url' ? 'address' : 'hash'}:
          <input type="text" readOnly value={result.text} onFocus={(event) => event.target.select()} autoFocus />
        </label>
      )}
    </div>
  )
}
