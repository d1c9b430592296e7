import { timeFormat, type TimeFormat } from '../lib/time-format.ts'
import { useAppStore } from '../store/context.tsx'

/** The time format the operator chose (Settings → Time zone); this computer's zone until settings load. */
export function useTimeFormat(): TimeFormat {
  return timeFormat(useAppStore((state) => state.settings?.timeZone ?? 'local'))
}
