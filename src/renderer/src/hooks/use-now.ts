import { useEffect, useState } from 'react'

/** The current time, refreshed every `intervalMs`: for "3 s ago" labels, local to the few components that show them. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
