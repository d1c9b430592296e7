import { describe, expect, it } from 'vitest'
import { MAX_FRIENDS_CSV_CHARS } from '../../shared/broadcast.ts'
import { csvRecords, parseFriendsCsv } from './friends-csv.ts'

describe('csvRecords', () => {
  it('reads quoted fields with commas, quotes and line breaks, and keeps line numbers', () => {
    const records = [...csvRecords('a,b\r\n"c,d","e ""x"""\n"multi\nline",f\n')]
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c,d', 'e "x"'] },
      { line: 3, fields: ['multi\nline', 'f'] },
    ])
  })

  it('flags malformed quoting', () => {
    expect([...csvRecords('"open,b\n')][0]?.problem).toBe('a quoted field is not closed')
    expect([...csvRecords('a"b,c\n')][0]?.problem).toBe('a quote inside an unquoted field')
  })
})

describe('parseFriendsCsv', () => {
  it('imports directed rows with or without a header, ignoring blank lines and duplicates', () => {
    const parsed = parseFriendsCsv('user,friend\nana,ben\n\nana,cy\nana,ben\n', false)
    if (!parsed.ok) throw new Error('expected success')
    expect(parsed.graph.friendsOf('ana')).toEqual(['ben', 'cy'])
    expect(parsed.graph.friendsOf('ben')).toEqual([])
    expect(parsed.graph.followersOf('ben')).toEqual(['ana'])
    expect({ users: parsed.graph.users, edges: parsed.graph.edges }).toEqual({ users: 3, edges: 2 })
    const headerless = parseFriendsCsv('ana,ben', false)
    expect(headerless.ok && headerless.graph.edges).toBe(1)
  })

  it('makes every row a friendship both ways when mutual', () => {
    const parsed = parseFriendsCsv('ana,ben\nben,ana\nana,cy\n', true)
    if (!parsed.ok) throw new Error('expected success')
    expect(parsed.graph.friendsOf('ben')).toEqual(['ana'])
    expect(parsed.graph.friendsOf('cy')).toEqual(['ana'])
    expect(parsed.graph.edges).toBe(4)
  })

  it('refuses the whole file and lists every bad row with its line number', () => {
    const csv = ['user,friend', 'ana,ben', 'ana', 'ana,ben,cy', ',ben', 'ana,ana', 'ana,b b', '"ana,ben'].join('\n')
    const parsed = parseFriendsCsv(csv, false)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errorCount).toBe(6)
    expect(parsed.errors.map((error) => error.line)).toEqual([3, 4, 5, 6, 7, 8])
    expect(parsed.errors[0]?.message).toBe('expected 2 columns (user,friend), found 1')
    expect(parsed.errors[2]?.message).toBe('the user is empty')
    expect(parsed.errors[3]?.message).toBe('"ana" is listed as their own friend')
    expect(parsed.errors[4]?.message).toMatch(/characters channel names can't hold/)
    expect(parsed.errors[5]?.message).toMatch(/quoted field is not closed/)
  })

  it('refuses files that are too large or empty, as a whole', () => {
    const big = parseFriendsCsv('a,b\n'.repeat(MAX_FRIENDS_CSV_CHARS / 4 + 1), false)
    expect(big).toMatchObject({
      ok: false,
      errors: [{ line: null, message: expect.stringMatching(/at most 921,600 \(900 KB\) can be imported/) }],
    })
    expect(parseFriendsCsv('user,friend\n', false)).toMatchObject({
      ok: false,
      errors: [{ line: null, message: 'The file has no user,friend rows' }],
    })
  })

  it('lists at most 100 bad rows but counts them all', () => {
    const parsed = parseFriendsCsv('x\n'.repeat(250), false)
    expect(parsed).toMatchObject({ ok: false, errorCount: 250 })
    expect(!parsed.ok && parsed.errors.length).toBe(100)
  })
})
