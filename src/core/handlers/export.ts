import { ApiError } from '../../shared/envelope.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** CSV exports of the history, with progress as events. */
export function exportHandlers(
  context: EngineContext,
): HandlerGroup<'export.start' | 'export.list' | 'export.cancel' | 'export.saveAs' | 'export.saveFile'> {
  const { exports, connection } = context
  return {
    'export.start': (request) => exports.start(connection.requireHistory(), request),
    'export.list': () => exports.list(),
    'export.cancel': ({ id }) => {
      exports.cancel(id)
      return null
    },
    // The desktop shell replaces this with a save dialog.
    'export.saveAs': () => {
      throw new ApiError('failed', 'Saving to a chosen place is a desktop feature; in web mode, use the download link')
    },
    'export.saveFile': () => {
      throw new ApiError(
        'failed',
        'Saving to a chosen place is a desktop feature; in web mode, the browser downloads it',
      )
    },
  }
}
