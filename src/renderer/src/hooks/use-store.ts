import { useShallow } from 'zustand/react/shallow'
import type { AppState } from '../store/app-store.ts'
import { useAppStore } from '../store/context.tsx'

/** Several fields of the store at once, re-rendering only when one of them changes. */
export function useAppFields<T extends object>(selector: (state: AppState) => T): T {
  return useAppStore(useShallow(selector))
}
