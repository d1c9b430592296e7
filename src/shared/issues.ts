import type { ApiIssue } from './envelope.ts'

/** What a failed zod parse (`result.error`) reports: the shape these helpers read. */
export interface IssueList {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]
}

/** A failed parse's issues as an envelope carries them: a dotted path (empty for the value itself) and a message. */
export function toApiIssues(error: IssueList): ApiIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
}

/**
 * A failed parse in one line people read, `path: message; path: message`; `withPaths: false` gives
 * only the messages, for schemas whose messages already name their field ("App id is …").
 * Logs use zod's own `z.prettifyError`, which spreads the same over several lines.
 */
export function describeIssues(error: IssueList, { withPaths = true }: { withPaths?: boolean } = {}): string {
  return toApiIssues(error)
    .map((issue) => (withPaths && issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ')
}
