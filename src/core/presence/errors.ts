/** The body of a channel list is not the JSON the Channels API sends; the presence state is unchanged. */
export class ChannelListFormatError extends Error {
  override name = 'ChannelListFormatError'
  /** Byte offset in the body where the problem was found. */
  readonly offset: number

  constructor(message: string, offset: number) {
    super(message)
    this.offset = offset
  }
}

/**
 * The server answered with an error inside a successful response (`{"error": "...", "code": 401}`,
 * as some Channels-compatible servers do); the presence state is unchanged.
 */
export class ServerErrorInBody extends Error {
  override name = 'ServerErrorInBody'
  readonly error: string
  readonly code: number | null

  constructor(error: string, code: number | null) {
    super(`The server answered with an error${code === null ? '' : ` (code ${code})`}: ${error}`)
    this.error = error
    this.code = code
  }
}

/** The state was cleared or its convention changed while an ingest was running; that ingest applied nothing. */
export class IngestAbortedError extends Error {
  override name = 'IngestAbortedError'

  constructor() {
    super('The presence state was reset while a channel list was being read; that list was not applied')
  }
}
