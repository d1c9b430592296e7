import { ApiError } from '../shared/envelope.ts'
import type { EngineView } from '../shared/engine-choice.ts'
import type { Handlers } from '../core/rpc/dispatch.ts'
import type { ShellMethodName } from '../shared/contract.ts'

/** A page served by `headcount serve` shows that server's engine: it is always the one shown. */
export const WEB_ENGINE_VIEW: EngineView = { shell: 'web', shown: { kind: 'local' }, saved: null }

function desktopOnly(): never {
  throw new ApiError(
    'failed',
    'Choosing which engine to show is a desktop feature: this page shows the server it was opened from',
  )
}

/** Web mode's answers to the shell's methods. */
export const webShellHandlers: Pick<Handlers, ShellMethodName> = {
  'engine.get': () => WEB_ENGINE_VIEW,
  'engine.useRemote': desktopOnly,
  'engine.useLocal': desktopOnly,
}
