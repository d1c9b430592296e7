import { parseConnectionUrl } from '../../../../shared/connection.ts'
import { DEFAULT_TEMPLATE } from '../../../../shared/naming.ts'
import { ProfileInputSchema, type ProfileInput, type ProfileView } from '../../../../shared/profiles.ts'

/** The connection form's values, as typed: strings until checked. */
export interface Draft {
  id: string | null
  name: string
  appId: string
  key: string
  secret: string
  targetKind: 'cluster' | 'host'
  cluster: string
  host: string
  port: string
  useTLS: boolean
  template: string
  /** A profile parsed by a custom pattern keeps it: the form edits templates only. */
  customPattern: boolean
}

/** Field name (the last part of the schema path, or `secret`, `port`, `url`) to its error in words. */
export type FieldErrors = Record<string, string>

export const EMPTY_DRAFT: Draft = {
  id: null,
  name: '',
  appId: '',
  key: '',
  secret: '',
  targetKind: 'cluster',
  cluster: 'mt1',
  host: '',
  port: '',
  useTLS: true,
  template: DEFAULT_TEMPLATE,
  customPattern: false,
}

/** A saved profile as the form edits it. */
export function draftOf(profile: ProfileView): Draft {
  const { target } = profile.connection
  return {
    id: profile.id,
    name: profile.name,
    appId: profile.connection.appId,
    key: profile.connection.key,
    // The engine never sends a secret back: an edit keeps the saved one unless a new one is typed.
    secret: '',
    targetKind: target.kind,
    cluster: target.kind === 'cluster' ? target.cluster : 'mt1',
    host: target.kind === 'host' ? target.host : '',
    port: target.kind === 'host' && target.port !== null ? String(target.port) : '',
    useTLS: target.kind === 'host' ? target.useTLS : true,
    template: profile.convention.kind === 'template' ? profile.convention.template : profile.convention.pattern,
    customPattern: profile.convention.kind === 'regex',
  }
}

/** The fields a connection URL fills in; throws `ConnectionUrlError` in words when it is not one. */
export function fieldsFromUrl(url: string, draft: Draft): Partial<Draft> {
  const parsed = parseConnectionUrl(url)
  const { target } = parsed
  return {
    appId: parsed.appId,
    key: parsed.key,
    secret: parsed.secret,
    targetKind: target.kind,
    cluster: target.kind === 'cluster' ? target.cluster : draft.cluster,
    host: target.kind === 'host' ? target.host : '',
    port: target.kind === 'host' && target.port !== null ? String(target.port) : '',
    useTLS: target.kind === 'host' ? target.useTLS : true,
  }
}

export type Checked = { ok: true; input: ProfileInput } | { ok: false; errors: FieldErrors }

/** Form values to a profile, checked with the contract's own schema so the form and the engine agree. */
export function checkDraft(draft: Draft): Checked {
  const port = draft.port.trim() === '' ? null : Number(draft.port)
  const raw = {
    ...(draft.id ? { id: draft.id } : {}),
    name: draft.name,
    connection: {
      appId: draft.appId.trim(),
      key: draft.key.trim(),
      target:
        draft.targetKind === 'cluster'
          ? { kind: 'cluster', cluster: draft.cluster.trim() }
          : { kind: 'host', host: draft.host.trim(), port, useTLS: draft.useTLS },
    },
    ...(draft.secret ? { secret: draft.secret } : {}),
    ...(!draft.customPattern ? { convention: { kind: 'template', template: draft.template.trim() } } : {}),
  }
  const errors: FieldErrors = {}
  const parsed = ProfileInputSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path.at(-1) ?? 'form')
      errors[field] ??= issue.message
    }
  }
  if (!draft.id && !draft.secret) errors.secret = 'Secret is required'
  if (draft.targetKind === 'host' && port !== null && !Number.isInteger(port)) errors.port = 'Port is a whole number'
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors }
  return { ok: true, input: parsed.data }
}
