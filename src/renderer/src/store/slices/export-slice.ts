import type { ExportProgress, ExportRequest, KnownRoomView } from '../../../../shared/history.ts'
import { attempt, type Outcome } from '../outcome.ts'
import type { SliceCreator } from './types.ts'

export interface ExportJob {
  request: ExportRequest | null
  progress: ExportProgress
  startedAt: number
  /** Desktop: where "Save as" put the file. */
  savedTo: string | null
  /** Hand the file over (download, or the desktop's "Save as") as soon as it is written: the form's one click. */
  deliver: boolean
}

const FINISHED = new Set<ExportProgress['state']>(['done', 'cancelled', 'failed'])

export interface ExportSlice {
  /** Exports of this session by id, newest last. */
  exportJobs: Map<string, ExportJob>
  /** Every room the connected app's history knows (present or emptied), once asked for. */
  knownRooms: KnownRoomView[] | null
  loadKnownRooms(): Promise<Outcome<KnownRoomView[]>>
  startExport(request: ExportRequest, options?: { deliver?: boolean }): Promise<Outcome<string>>
  /** The finished file was handed over (or the operator will fetch it by hand): not again. */
  markExportDelivered(id: string): void
  cancelExport(id: string): Promise<Outcome<null>>
  saveExportAs(id: string): Promise<Outcome<string | null>>
  /** Desktop: a file the console made (a chart's picture or data, base64) saved through a dialog; where, or null. */
  saveMadeFile(name: string, base64: string): Promise<Outcome<string | null>>
  applyExportProgress(progress: ExportProgress): void
  /** The engine's exports since it started: after a reload, those this page started before are listed again. */
  loadExports(): Promise<Outcome<null>>
}

export const createExportSlice: SliceCreator<ExportSlice> = (set, get, api) => {
  const merge = (id: string, change: (job: ExportJob | undefined) => ExportJob) => {
    const jobs = new Map(get().exportJobs)
    jobs.set(id, change(jobs.get(id)))
    set({ exportJobs: jobs })
  }
  return {
    exportJobs: new Map(),
    knownRooms: null,
    async loadKnownRooms() {
      const outcome = await attempt(async () => (await api.call('history.rooms')).rooms)
      if (outcome.ok) set({ knownRooms: outcome.value })
      return outcome
    },
    async startExport(request, options = {}) {
      const outcome = await attempt(() => api.call('export.start', request))
      if (!outcome.ok) return outcome
      const progress = outcome.value
      // Progress events may have overtaken this reply; a finished state is never rolled back.
      merge(progress.id, (job) => ({
        request,
        progress:
          job && (FINISHED.has(job.progress.state) || job.progress.rows > progress.rows) ? job.progress : progress,
        startedAt: job?.startedAt ?? Date.now(),
        savedTo: null,
        deliver: options.deliver ?? false,
      }))
      return { ok: true, value: progress.id }
    },
    cancelExport: (id) => attempt(() => api.call('export.cancel', { id })),
    async saveExportAs(id) {
      const outcome = await attempt(() => api.call('export.saveAs', { id }))
      if (!outcome.ok) return outcome
      const { savedTo } = outcome.value
      if (savedTo) merge(id, (job) => ({ ...(job as ExportJob), savedTo }))
      return { ok: true, value: savedTo }
    },
    markExportDelivered(id) {
      const job = get().exportJobs.get(id)
      if (job?.deliver) merge(id, () => ({ ...job, deliver: false }))
    },
    saveMadeFile: (name, data) => attempt(async () => (await api.call('export.saveFile', { name, data })).savedTo),
    async loadExports() {
      const outcome = await attempt(() => api.call('export.list'))
      if (!outcome.ok) return outcome
      for (const listed of outcome.value) {
        merge(listed.progress.id, (job) =>
          job
            ? { ...job, progress: FINISHED.has(job.progress.state) ? job.progress : listed.progress }
            : {
                request: listed.request,
                progress: listed.progress,
                startedAt: listed.startedAt,
                savedTo: null,
                deliver: false,
              },
        )
      }
      return { ok: true, value: null }
    },
    applyExportProgress(progress) {
      merge(progress.id, (job) =>
        job && FINISHED.has(job.progress.state)
          ? job
          : {
              request: job?.request ?? null,
              progress,
              startedAt: job?.startedAt ?? Date.now(),
              savedTo: job?.savedTo ?? null,
              deliver: job?.deliver ?? false,
            },
      )
    },
  }
}
