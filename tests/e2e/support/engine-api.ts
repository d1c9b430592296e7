import WebSocket from 'ws'
import type { MethodInput, MethodName, MethodResult } from '../../../src/shared/contract.ts'
import { isEnvelope } from '../../../src/shared/envelope.ts'

/**
 * The engine of a served console, called over its own API socket: for a test's setup (a saved and
 * connected profile), so the journey under test starts where it should without clicking through others.
 */
export class EngineApi {
  private readonly socket: WebSocket
  private nextId = 1
  private readonly pending = new Map<number, (result: unknown) => void>()

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id?: number; result?: unknown }
      if (typeof frame.id !== 'number') return
      this.pending.get(frame.id)?.(frame.result)
      this.pending.delete(frame.id)
    })
  }

  static async open(consoleUrl: string): Promise<EngineApi> {
    const url = new URL('/api', consoleUrl)
    url.protocol = 'ws:'
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new EngineApi(socket)
  }

  async call<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<MethodResult<M>> {
    const id = this.nextId++
    const result = await new Promise<unknown>((resolve) => {
      this.pending.set(id, resolve)
      this.socket.send(JSON.stringify({ id, method, input }))
    })
    if (!isEnvelope(result)) throw new Error(`Malformed reply to ${method}`)
    if (!result.ok) throw new Error(`${method} refused: ${result.error.message}`)
    return result.value as MethodResult<M>
  }

  close(): void {
    this.socket.close()
  }
}
