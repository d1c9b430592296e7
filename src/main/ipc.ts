import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { METHOD_NAMES } from '../shared/contract.ts'
import { fail, type Envelope } from '../shared/envelope.ts'
import { callChannel, eventChannel } from '../shared/ipc-channels.ts'
import type { EngineEvents } from '../core/events.ts'
import type { Logger } from '../core/logger.ts'

/** Answers one contract call (validation, handler, envelope); never throws. The engine host's `dispatch`. */
export type Dispatcher = (method: string, input: unknown) => Promise<Envelope<unknown>>

/** Decides whether an IPC call came from the app's own top-level page. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

export function createSenderCheck(isAppUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const frame = event.senderFrame
    if (!frame) return false // the frame navigated or was destroyed before the call arrived
    return frame.parent === null && isAppUrl(frame.url)
  }
}

/**
 * Binds every contract method to `ipcMain.handle` through one wrapper: the sender is checked, then the
 * dispatcher validates the input, runs it on the engine shown and returns an envelope; nothing is
 * thrown across IPC. Returns a function that removes the handlers.
 */
export function bindContractToIpc(dispatcher: Dispatcher, isTrustedSender: SenderCheck, logger: Logger): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(callChannel(method), async (event, input: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event)) {
        logger.warn(`refused ${method} from an untrusted frame`, event.senderFrame?.url)
        return fail('forbidden', `${method} was called from a page that is not Headcount's own`)
      }
      return dispatcher(method, input)
    })
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(callChannel(method))
  }
}

/** Forwards engine events (of whichever engine is shown) to every live window. */
export function forwardEventsToWindows(events: Pick<EngineEvents, 'onAny'>, windows: () => WebContents[]): () => void {
  return events.onAny((event, payload) => {
    for (const contents of windows()) {
      if (!contents.isDestroyed()) contents.send(eventChannel(event), payload)
    }
  })
}
