/** A stand-in for electron-store's get/set, holding values in memory. Used by the main-process unit tests. */
export class MemoryStore<T extends Record<string, unknown>> {
  data: Record<string, unknown>
  constructor(options: { defaults?: Partial<T> } = {}) {
    this.data = structuredClone(options.defaults ?? {}) as Record<string, unknown>
  }
  get<K extends keyof T & string>(key: K): T[K] {
    return this.data[key] as T[K]
  }
  set(key: string, value: unknown): void {
    this.data[key] = structuredClone(value)
  }
}
