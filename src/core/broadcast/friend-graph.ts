// Who counts whom as a friend: directed edges user → friend, with the reverse index a roster update
// needs (when v joins a room, every user who has v as a friend may need a new roster).

const EMPTY: readonly string[] = Object.freeze([])

export class FriendGraph {
  private readonly friends = new Map<string, string[]>()
  private readonly followers = new Map<string, string[]>()
  private edgeCount = 0

  /** From `user,friend` pairs (duplicates ignored); `mutual` adds friend → user too. */
  static fromPairs(pairs: Iterable<readonly [string, string]>, mutual: boolean): FriendGraph {
    const graph = new FriendGraph()
    const seen = new Set<string>()
    const add = (user: string, friend: string): void => {
      const key = `${user}\n${friend}`
      if (seen.has(key)) return
      seen.add(key)
      graph.link(user, friend)
    }
    for (const [user, friend] of pairs) {
      add(user, friend)
      if (mutual) add(friend, user)
    }
    return graph
  }

  private link(user: string, friend: string): void {
    const list = this.friends.get(user)
    if (list) list.push(friend)
    else this.friends.set(user, [friend])
    const back = this.followers.get(friend)
    if (back) back.push(user)
    else this.followers.set(friend, [user])
    this.edgeCount++
  }

  /** Whom `user` counts as friends. */
  friendsOf(user: string): readonly string[] {
    return this.friends.get(user) ?? EMPTY
  }

  /** Who counts `user` as a friend. */
  followersOf(user: string): readonly string[] {
    return this.followers.get(user) ?? EMPTY
  }

  /** Whether the user appears in the graph at all. */
  has(user: string): boolean {
    return this.friends.has(user) || this.followers.has(user)
  }

  get users(): number {
    let count = this.friends.size
    for (const user of this.followers.keys()) if (!this.friends.has(user)) count++
    return count
  }

  get edges(): number {
    return this.edgeCount
  }

  /** Every directed edge once. */
  *pairs(): Generator<[string, string]> {
    for (const [user, friends] of this.friends) for (const friend of friends) yield [user, friend]
  }
}
