import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { credentialsFor, FakeApi } from '../channels/fake-api.ts'
import { EngineHarness } from './engine-harness.ts'

let api: FakeApi
let harness: EngineHarness
beforeEach(async () => {
  api = await new FakeApi().start()
  harness = new EngineHarness()
})
afterEach(async () => {
  await harness.close()
  await api.stop()
})

/** "Test" on the form's values against the fake API. */
async function test() {
  const { secret, ...connection } = credentialsFor(api.port)
  return harness.handlers['profiles.test']({ connection, secret })
}

describe('testing a connection', () => {
  it('says a web page answered where the channel list should be, as the sync does', async () => {
    api.reply(200, '<!doctype html><title>Sign in</title>', 'text/html')
    expect(await test()).toMatchObject({
      ok: false,
      failure: { kind: 'not-channels-api', message: expect.stringMatching(/web page, not the Channels API/) },
    })
  })

  it('calls a channel list that is not JSON malformed', async () => {
    api.reply(200, '{"channels": {"private-a-b": {')
    expect(await test()).toMatchObject({ ok: false, failure: { kind: 'malformed' } })
  })
})
