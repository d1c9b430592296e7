import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerFrame } from '../../../src/shared/wire.ts'
import { apiUrl, ApiSocket, startWebMode, type WebMode } from '../helpers/web-mode.ts'

/** From the report: with 25 "a" this sample held the whole server 1.48 s; 22 keep the unfixed run short. */
const NESTED = '^private-(?<room>(a+)+)-(?<user>b)$'
const SLOW_NAME = `private-${'a'.repeat(22)}-c`
const CONNECTION = { appId: '1', key: 'key', target: { kind: 'host', host: '127.0.0.1', port: 9, useTLS: false } }

/** The id of the profile a `profiles.save` reply carries. */
function savedId(frame: ServerFrame): string {
  if (!('result' in frame) || !frame.result.ok) throw new Error(`profiles.save failed: ${JSON.stringify(frame)}`)
  return (frame.result.value as { id: string }).id
}

let mode: WebMode | undefined
afterEach(async () => {
  await mode?.close()
  mode = undefined
})

describe('regex conventions through the contract', () => {
  it('the preview refuses a catastrophic pattern in words and runs it on no sample', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const reply = await client.call(1, 'convention.preview', {
      convention: { kind: 'regex', pattern: NESTED },
      samples: [SLOW_NAME, 'private-a-b'],
    })
    expect(reply).toMatchObject({
      result: {
        ok: true,
        value: {
          prefix: null,
          error: expect.stringMatching(/^This pattern can take exponential time .*the part \(a\+\)\+ can match/),
          // Not even the harmless sample: the verdict comes from the pattern alone.
          rows: [],
        },
      },
    })
    client.close()
  }, 60_000)

  it('saving refuses it too, and a normal regex with named groups still saves and parses', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const saved = await client.call(1, 'profiles.save', { name: 'Soketi', connection: CONNECTION, secret: 's' })
    const id = savedId(saved)

    expect(
      await client.call(2, 'convention.set', { id, convention: { kind: 'regex', pattern: NESTED } }),
    ).toMatchObject({
      result: {
        ok: false,
        error: {
          code: 'bad-request',
          message: expect.stringContaining('exponential time'),
          issues: [{ path: 'convention' }],
        },
      },
    })
    expect(
      await client.call(3, 'profiles.save', {
        id,
        name: 'Soketi',
        connection: CONNECTION,
        convention: { kind: 'regex', pattern: '^(?<room>a*a*a*)-(?<user>b)$' },
      }),
    ).toMatchObject({ result: { ok: false, error: { message: expect.stringContaining('third power') } } })
    const onDisk = JSON.parse(readFileSync(join(mode.dataDir, 'settings.json'), 'utf8'))
    expect(onDisk.profiles[0].convention).toEqual({ kind: 'template', template: 'private-{room}-{user}' })

    const normal = { kind: 'regex', pattern: '^private-(?<room>[^-]+)-(?:(?<group>[a-z]+)-)?(?<user>.+)$' }
    expect(await client.call(4, 'convention.set', { id, convention: normal })).toMatchObject({
      result: { ok: true, value: { convention: normal, prefix: 'private-' } },
    })
    expect(
      await client.call(5, 'convention.preview', {
        convention: normal,
        samples: ['private-lobby-red-9f-2', 'presence-x'],
      }),
    ).toMatchObject({
      result: {
        ok: true,
        value: {
          error: null,
          rows: [
            { channel: 'private-lobby-red-9f-2', result: { room: 'lobby', group: 'red', user: '9f-2' } },
            { channel: 'presence-x', result: null, reason: 'does not match the pattern' },
          ],
        },
      },
    })
    client.close()
  }, 60_000)

  it('a catastrophic regex saved before this check (or by hand) is refused at connect, and can still be shown', async () => {
    mode = await startWebMode()
    const client = await ApiSocket.open(apiUrl(mode.server))
    const saved = await client.call(1, 'profiles.save', { name: 'Old', connection: CONNECTION, secret: 's' })
    const id = savedId(saved)
    mode.engine.profiles.update(id, { convention: { kind: 'regex', pattern: NESTED } })

    expect(await client.call(2, 'connection.connect', { id })).toMatchObject({
      result: {
        ok: false,
        error: { code: 'failed', message: expect.stringMatching(/^The naming convention can't be used: This pattern/) },
      },
    })
    expect(await client.call(3, 'profiles.test', { id })).toMatchObject({
      result: { ok: false, error: { message: expect.stringContaining('exponential time') } },
    })
    // The editor (which edits the profile's own copy) can still load it, so the operator can fix it.
    expect(await client.call(4, 'profiles.list')).toMatchObject({
      result: { ok: true, value: [{ id, convention: { kind: 'regex', pattern: NESTED } }] },
    })
    client.close()
  }, 60_000)
})
