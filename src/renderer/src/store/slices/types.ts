import type { StoreApi } from 'zustand/vanilla'
import type { Api } from '../../../../shared/client.ts'

/**
 * Each slice is made from the store's own set/get and the API, and owns one part of the state. `Uses`
 * names the parts of other slices it reads or calls, so slices depend on each other's types in one
 * direction only and never on the store that assembles them.
 */
export type SliceCreator<Own, Uses = object> = (
  set: StoreApi<Own & Uses>['setState'],
  get: StoreApi<Own & Uses>['getState'],
  api: Api,
) => Own
