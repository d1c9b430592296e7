import type { StoreApi } from 'zustand/vanilla'
import type { Api } from '../../../../shared/client.ts'
import { ApiError } from '../../../../shared/envelope.ts'
import type { AppState } from '../app-store.ts'

/** Each slice is made from the store's own set/get and the API, and owns one part of the state. */
export type SliceCreator<T> = (set: StoreApi<AppState>['setState'], get: StoreApi<AppState>['getState'], api: Api) => T

/** A failed call in words: the engine's own message when it gave one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return error instanceof Error ? error.message : String(error)
}
