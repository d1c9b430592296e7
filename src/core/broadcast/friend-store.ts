// Friend graphs on disk, one file per connection profile (`friends/<profile id>.json` in the data
// folder), written to a temporary file and renamed so a crash leaves the old graph or the new one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { FriendsSummary } from '../../shared/broadcast.ts'
import { jsonSyntaxProblem, removeWithCopies, writeFileAtomic } from '../data-files.ts'
import type { Logger } from '../logger.ts'
import { FriendGraph } from './friend-graph.ts'

const StoredGraphSchema = z.object({
  version: z.literal(1),
  importedAt: z.iso.datetime(),
  mutual: z.boolean(),
  users: z.array(z.string()),
  /** Directed edges as pairs of indexes into `users`, flattened. */
  edges: z.array(z.int().nonnegative()),
})

export interface StoredGraph {
  graph: FriendGraph
  importedAt: string
  mutual: boolean
}

const EMPTY_SUMMARY: FriendsSummary = { users: 0, edges: 0, importedAt: null, mutual: null }

export class FriendStore {
  private readonly dir: string
  private readonly logger: Logger
  private readonly cache = new Map<string, StoredGraph | null>()

  constructor(dataDir: string, logger: Logger) {
    this.dir = join(dataDir, 'friends')
    this.logger = logger
  }

  private file(profileId: string): string {
    return join(this.dir, `${profileId}.json`)
  }

  load(profileId: string): StoredGraph | null {
    const cached = this.cache.get(profileId)
    if (cached !== undefined) return cached
    let stored: StoredGraph | null = null
    try {
      const parsed = StoredGraphSchema.parse(JSON.parse(readFileSync(this.file(profileId), 'utf8')))
      const pairs: Array<[string, string]> = []
      for (let i = 0; i + 1 < parsed.edges.length; i += 2) {
        const user = parsed.users[parsed.edges[i] as number]
        const friend = parsed.users[parsed.edges[i + 1] as number]
        if (user !== undefined && friend !== undefined) pairs.push([user, friend])
      }
      stored = { graph: FriendGraph.fromPairs(pairs, false), importedAt: parsed.importedAt, mutual: parsed.mutual }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT') {
        // Said without the error's own message: JSON and schema errors quote the file's contents.
        const problem =
          error instanceof SyntaxError ? jsonSyntaxProblem(error) : (code ?? 'not a friend graph Headcount wrote')
        this.logger.warn(`the friend graph ${this.file(profileId)} could not be read (${problem}); import it again`)
      }
    }
    this.cache.set(profileId, stored)
    return stored
  }

  save(profileId: string, graph: FriendGraph, mutual: boolean, importedAt: string): StoredGraph {
    const users: string[] = []
    const index = new Map<string, number>()
    const indexOf = (user: string): number => {
      let at = index.get(user)
      if (at === undefined) {
        at = users.length
        users.push(user)
        index.set(user, at)
      }
      return at
    }
    const edges: number[] = []
    for (const [user, friend] of graph.pairs()) edges.push(indexOf(user), indexOf(friend))
    writeFileAtomic(this.file(profileId), JSON.stringify({ version: 1, importedAt, mutual, users, edges }))
    const stored = { graph, importedAt, mutual }
    this.cache.set(profileId, stored)
    return stored
  }

  /** Forgets the profile's graph: its file, and any temporary copy a crash left beside it. */
  clear(profileId: string): void {
    removeWithCopies(this.file(profileId))
    this.cache.set(profileId, null)
  }

  summary(profileId: string): FriendsSummary {
    const stored = this.load(profileId)
    if (!stored) return EMPTY_SUMMARY
    return {
      users: stored.graph.users,
      edges: stored.graph.edges,
      importedAt: stored.importedAt,
      mutual: stored.mutual,
    }
  }
}
