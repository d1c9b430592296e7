import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { request as plainRequest, type IncomingMessage } from 'node:http'
import { request as tlsRequest } from 'node:https'
import { pipeline } from 'node:stream/promises'
import { ApiError } from '../../shared/envelope.ts'
import { refusalFromError, refusalFromStatus } from './connect-errors.ts'
import { connectionOptions, type RemoteServerOptions } from './remote-engine.ts'

type ServerAccess = Pick<RemoteServerOptions, 'address' | 'token' | 'pinnedFingerprint' | 'connectTimeoutMs'>

/** One request to the server's HTTPS side, through the same certificate check and token as the API socket. */
function ask(server: ServerAccess, method: 'GET' | 'HEAD', path: string): Promise<IncomingMessage> {
  const request = server.address.secure ? tlsRequest : plainRequest
  return new Promise((resolve, reject) => {
    const outgoing = request(`${server.address.origin}${path}`, {
      method,
      ...(connectionOptions(server) as object),
      headers: server.token === null ? {} : { Authorization: `Bearer ${server.token}` },
      timeout: server.connectTimeoutMs ?? 10_000,
    })
    outgoing.on('response', resolve)
    outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })))
    outgoing.on('error', (error) => reject(failure(refusalFromError(error, server.address.shown).message)))
    outgoing.end()
  })
}

function failure(message: string): ApiError {
  return new ApiError('failed', message)
}

async function refusalOf(response: IncomingMessage, server: ServerAccess): Promise<ApiError> {
  response.resume()
  if (response.statusCode === 404)
    return failure('That export is not finished on the shared server, or its file is gone')
  return failure(refusalFromStatus(response.statusCode ?? 0, '', server.address.shown).message)
}

/** The file name the server offers a finished export under, for the save dialog's default. */
export async function remoteExportName(server: ServerAccess, id: string): Promise<string> {
  const response = await ask(server, 'HEAD', `/exports/${encodeURIComponent(id)}`)
  if (response.statusCode !== 200) throw await refusalOf(response, server)
  response.resume()
  const disposition = String(response.headers['content-disposition'] ?? '')
  return /filename="([A-Za-z0-9._-]+)"/.exec(disposition)?.[1] ?? `headcount-export-${id}.csv`
}

/**
 * Downloads a finished export from the shared server into `destination`: written beside it under a
 * temporary name and renamed once whole, so a failed download never leaves half a file where it was asked.
 */
export async function downloadRemoteExport(server: ServerAccess, id: string, destination: string): Promise<void> {
  const response = await ask(server, 'GET', `/exports/${encodeURIComponent(id)}`)
  if (response.statusCode !== 200) throw await refusalOf(response, server)
  const partial = `${destination}.${randomBytes(4).toString('hex')}.part`
  try {
    await pipeline(response, createWriteStream(partial, { flags: 'wx' }))
    await rename(partial, destination)
  } catch (error) {
    await rm(partial, { force: true })
    throw failure(`Could not save to ${destination}: ${(error as Error).message}`)
  }
}
