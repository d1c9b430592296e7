import { describe, expect, it } from 'vitest'
import type { ExportProgress } from '../../../shared/history.ts'
import { createAppStore } from './app-store.ts'
import { fakeApi } from './test-api.ts'

const running: ExportProgress = { id: 'e1', state: 'running', rows: 0, estimatedRows: null, file: null, error: null }

describe('app store: export slice', () => {
  it('remembers to hand over a file asked for in one click, once', async () => {
    const { api, emit } = fakeApi({ 'export.start': () => running })
    const store = createAppStore(api, 'open')
    const request = { kind: 'occupancy' as const, from: 0, to: 1000 }
    expect(await store.getState().startExport(request, { deliver: true })).toEqual({ ok: true, value: 'e1' })
    emit('export.progress', { ...running, state: 'done', rows: 3, estimatedRows: 3 })
    expect(store.getState().exportJobs.get('e1')).toMatchObject({ deliver: true, progress: { state: 'done' } })
    store.getState().markExportDelivered('e1')
    expect(store.getState().exportJobs.get('e1')?.deliver).toBe(false)

    await store.getState().startExport(request)
    expect(store.getState().exportJobs.get('e1')?.deliver).toBe(false)
  })

  it('lists the engine’s exports again after a reload, without handing any over by itself', async () => {
    const request = {
      kind: 'occupancy' as const,
      from: 0,
      to: 1000,
      resolution: '1m' as const,
      layout: 'long' as const,
    }
    const done: ExportProgress = { ...running, state: 'done', rows: 5, estimatedRows: 5, file: '/x.csv' }
    const { api } = fakeApi({ 'export.list': () => [{ request, progress: done, startedAt: 42 }] })
    const store = createAppStore(api, 'open')
    expect(await store.getState().loadExports()).toEqual({ ok: true, value: null })
    expect(store.getState().exportJobs.get('e1')).toEqual({
      request,
      progress: done,
      startedAt: 42,
      savedTo: null,
      deliver: false,
    })
  })
})
