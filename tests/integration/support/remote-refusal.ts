import { expect } from 'vitest'
import { RemoteConnectError } from '../../../src/core/remote/connect-errors.ts'
import type { RemoteEngine } from '../../../src/core/remote/remote-engine.ts'

/** What an operator's one attempt to open this shared server is refused with (fails if it connects). */
export async function refusal(engine: RemoteEngine): Promise<RemoteConnectError> {
  try {
    await engine.connect()
  } catch (error) {
    await engine.close()
    expect(error).toBeInstanceOf(RemoteConnectError)
    return error as RemoteConnectError
  }
  await engine.close()
  throw new Error('connected')
}
