// Reads a friend graph from CSV: `user,friend` rows, header optional, RFC 4180 quoting. Every bad row
// is reported with its line number and the whole file is refused, so nothing half-imported is used.
import {
  friendsCsvTooLarge,
  MAX_FRIENDS_CSV_CHARS,
  MAX_IMPORT_ERRORS,
  type ImportError,
} from '../../shared/broadcast.ts'
import { isValidChannelName } from '../../shared/channel-names.ts'
import { FriendGraph } from './friend-graph.ts'

export type CsvImport = { ok: true; graph: FriendGraph } | { ok: false; errors: ImportError[]; errorCount: number }

/** Longest user id: Pusher's limit for presence user ids. */
const MAX_USER_ID = 128

/** One CSV record: its fields and the 1-based line it starts on; `problem` when it can't be read. */
interface CsvRecord {
  line: number
  fields: string[]
  problem?: string
}

/** Splits CSV text into records (quoted fields may hold commas, quotes and line breaks). */
export function* csvRecords(text: string): Generator<CsvRecord> {
  let line = 1
  let i = 0
  const length = text.length
  while (i < length) {
    const start = line
    const fields: string[] = []
    let field = ''
    let problem: string | undefined
    for (;;) {
      if (text[i] === '"') {
        i++
        for (;;) {
          if (i >= length) {
            problem ??= 'a quoted field is not closed'
            break
          }
          const char = text[i] as string
          if (char === '"') {
            if (text[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i++
            break
          }
          if (char === '\n') line++
          field += char
          i++
        }
        // Anything between the closing quote and the next separator is malformed.
        while (i < length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          problem ??= 'text after a closing quote'
          i++
        }
      } else {
        while (i < length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') problem ??= 'a quote inside an unquoted field'
          field += text[i]
          i++
        }
      }
      fields.push(field)
      field = ''
      if (i < length && text[i] === ',') {
        i++
        continue
      }
      break
    }
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
    line++
    yield problem === undefined ? { line: start, fields } : { line: start, fields, problem }
  }
}

function idProblem(id: string, column: string): string | null {
  if (id === '') return `the ${column} is empty`
  if (id.length > MAX_USER_ID)
    return `the ${column} is ${id.length} characters long; user ids have at most ${MAX_USER_ID}`
  // Users are read from channel names, so an id with other characters could never be present.
  if (!isValidChannelName(id))
    return `the ${column} "${id.slice(0, 40)}" has characters channel names can't hold (only A-Z a-z 0-9 _ - = @ , . ;)`
  return null
}

/** Parses the whole CSV; `mutual` makes every row a friendship both ways. */
export function parseFriendsCsv(text: string, mutual: boolean): CsvImport {
  if (text.length > MAX_FRIENDS_CSV_CHARS) {
    return {
      ok: false,
      errorCount: 1,
      errors: [
        {
          line: null,
          message: friendsCsvTooLarge(text.length),
        },
      ],
    }
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const errors: ImportError[] = []
  let errorCount = 0
  const fail = (line: number, message: string): void => {
    errorCount++
    if (errors.length < MAX_IMPORT_ERRORS) errors.push({ line, message })
  }
  const pairs: Array<[string, string]> = []
  let first = true
  for (const record of csvRecords(body)) {
    if (record.fields.length === 1 && record.fields[0]?.trim() === '' && record.problem === undefined) continue
    if (first) {
      first = false
      const header = record.fields.map((field) => field.trim().toLowerCase())
      if (header.length === 2 && header[0] === 'user' && header[1] === 'friend') continue
    }
    if (record.problem !== undefined) {
      fail(record.line, `cannot read the row: ${record.problem}`)
      continue
    }
    if (record.fields.length !== 2) {
      fail(record.line, `expected 2 columns (user,friend), found ${record.fields.length}`)
      continue
    }
    const user = (record.fields[0] as string).trim()
    const friend = (record.fields[1] as string).trim()
    const problem = idProblem(user, 'user') ?? idProblem(friend, 'friend')
    if (problem !== null) {
      fail(record.line, problem)
      continue
    }
    if (user === friend) {
      fail(record.line, `"${user}" is listed as their own friend`)
      continue
    }
    pairs.push([user, friend])
  }
  if (errorCount > 0) return { ok: false, errors, errorCount }
  if (pairs.length === 0)
    return { ok: false, errorCount: 1, errors: [{ line: null, message: 'The file has no user,friend rows' }] }
  return { ok: true, graph: FriendGraph.fromPairs(pairs, mutual) }
}
