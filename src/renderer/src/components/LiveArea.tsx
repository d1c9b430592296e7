import type { ReactNode } from 'react'
import { useAppFields } from '../hooks/use-store.ts'
import { selectFreshness } from '../store/selectors.ts'

/** Wraps live figures: greyed (and said to be stale) while the data may be out of date. */
export function LiveArea({ children }: { children: ReactNode }) {
  const { link, status } = useAppFields((state) => ({ link: state.link, status: state.status }))
  const stale = selectFreshness({ link, status }).stale
  return (
    <div className={stale ? 'live-area stale' : 'live-area'} data-stale={stale || undefined}>
      {children}
    </div>
  )
}
