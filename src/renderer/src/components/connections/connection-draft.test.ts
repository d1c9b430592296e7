import { describe, expect, it } from 'vitest'
import { ConnectionUrlError } from '../../../../shared/connection.ts'
import { profileView } from '../../store/test-api.ts'
import { checkDraft, draftOf, EMPTY_DRAFT, fieldsFromUrl, type Draft } from './connection-draft.ts'

const filled: Draft = {
  ...EMPTY_DRAFT,
  name: ' Production ',
  appId: ' 42 ',
  key: ' app-key ',
  secret: 's3cret',
  targetKind: 'host',
  host: ' 127.0.0.1 ',
  port: '6001',
  useTLS: false,
}

describe('the connection form draft', () => {
  it('becomes the profile the engine expects, trimmed, with its template convention', () => {
    expect(checkDraft(filled)).toEqual({
      ok: true,
      input: {
        name: 'Production',
        connection: {
          appId: '42',
          key: 'app-key',
          target: { kind: 'host', host: '127.0.0.1', port: 6001, useTLS: false },
        },
        secret: 's3cret',
        convention: { kind: 'template', template: 'private-{room}-{user}' },
      },
    })
  })

  it('needs a secret for a new connection but not to edit a saved one', () => {
    expect(checkDraft({ ...filled, secret: '' })).toMatchObject({ ok: false, errors: { secret: 'Secret is required' } })
    const edit = checkDraft({ ...filled, id: 'p1', secret: '' })
    expect(edit).toMatchObject({ ok: true, input: { id: 'p1' } })
    expect(edit.ok && 'secret' in edit.input).toBe(false)
  })

  it("puts each of the contract's refusals beside its field, and a port that is not a whole number", () => {
    const checked = checkDraft({ ...filled, name: ' ', appId: 'app 1', port: '80.5' })
    expect(checked.ok).toBe(false)
    if (checked.ok) return
    expect(checked.errors.name).toBe('Give the connection a name')
    expect(checked.errors.appId).toMatch(/^App id is 1 to 100 letters, digits/)
    expect(checked.errors.port).toBe('Port is a whole number')
    // Out of range, in words rather than the schema library's.
    for (const port of ['70000', '-5', '0']) {
      const outOfRange = checkDraft({ ...filled, port })
      expect(outOfRange.ok ? null : outOfRange.errors.port).toBe('Port is a number from 1 to 65535')
    }
  })

  it('leaves a custom pattern alone: the form edits templates only', () => {
    const profile = profileView('p1', { convention: { kind: 'regex', pattern: '^private-(?<room>.+)-(?<user>.+)$' } })
    const draft = draftOf(profile)
    expect(draft).toMatchObject({ id: 'p1', secret: '', customPattern: true })
    const checked = checkDraft(draft)
    expect(checked.ok && 'convention' in checked.input).toBe(false)
  })

  it('reads back a saved profile without its secret', () => {
    expect(draftOf(profileView('p1'))).toEqual({
      ...EMPTY_DRAFT,
      id: 'p1',
      name: 'Profile p1',
      appId: '1',
      key: 'key',
      cluster: 'eu',
    })
  })

  it('fills the fields from a connection URL, or refuses it in words', () => {
    expect(fieldsFromUrl('http://key:secret@127.0.0.1:6001/apps/app-1', EMPTY_DRAFT)).toEqual({
      appId: 'app-1',
      key: 'key',
      secret: 'secret',
      targetKind: 'host',
      cluster: 'mt1',
      host: '127.0.0.1',
      port: '6001',
      useTLS: false,
    })
    expect(fieldsFromUrl('https://key:secret@api-eu.pusher.com/apps/42', EMPTY_DRAFT)).toMatchObject({
      targetKind: 'cluster',
      cluster: 'eu',
      host: '',
    })
    expect(() => fieldsFromUrl('ftp://x', EMPTY_DRAFT)).toThrow(ConnectionUrlError)
  })
})
