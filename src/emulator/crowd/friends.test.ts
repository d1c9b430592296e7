import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Crowd } from './crowd.ts'
import { buildFriendGraph, friendsCsvChunks, writeFriendsCsv } from './friends.ts'
import { Population } from './population.ts'

describe('friend graph', () => {
  const population = new Population({ users: 2000, rooms: 10, seed: 2 })

  it('gives each user a few distinct friends, about half from their own room', () => {
    const graph = buildFriendGraph(population, { perUser: 4, seed: 2 })
    let sameRoom = 0
    let total = 0
    for (let user = 0; user < population.size; user++) {
      const friends = graph.chosenBy(user)
      expect(friends.length).toBeGreaterThanOrEqual(3)
      expect(friends.length).toBeLessThanOrEqual(4)
      expect(new Set(friends).size).toBe(friends.length)
      expect(friends).not.toContain(user)
      for (const friend of friends) {
        total++
        if (population.homeRoom[friend] === population.homeRoom[user]) sameRoom++
      }
    }
    expect(sameRoom / total).toBeGreaterThan(0.45)
  })

  it('gives present users present friends in their room, so rosters are not empty', () => {
    const crowd = new Crowd({ size: 1000, rooms: 5, seed: 6 })
    const graph = buildFriendGraph(crowd.population, { seed: 6 })
    const withRoster = [...crowd.presentUsers()].filter((user) =>
      graph
        .chosenBy(user)
        .some(
          (friend) => crowd.isPresent(friend) && crowd.population.homeRoom[friend] === crowd.population.homeRoom[user],
        ),
    )
    expect(withRoster.length).toBeGreaterThan(500)
  })

  it('is the same for the same seed', () => {
    const a = buildFriendGraph(population, { seed: 9 })
    const b = buildFriendGraph(population, { seed: 9 })
    const c = buildFriendGraph(population, { seed: 10 })
    expect([...a.pairs()]).toEqual([...b.pairs()])
    expect([...a.pairs()]).not.toEqual([...c.pairs()])
  })

  it('lists mutual friendships both ways exactly once', () => {
    const graph = buildFriendGraph(population, { perUser: 3, mutual: true, seed: 4 })
    const pairs = [...graph.pairs()].map(([a, b]) => `${a},${b}`)
    const set = new Set(pairs)
    expect(set.size).toBe(pairs.length)
    for (const pair of pairs) {
      const [a, b] = pair.split(',')
      expect(set.has(`${b},${a}`)).toBe(true)
    }
  })

  it('writes CSV with a user,friend header and one pair per line', async () => {
    const graph = buildFriendGraph(population, { perUser: 2, seed: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'headcount-friends-'))
    try {
      const path = join(dir, 'friends.csv')
      await writeFriendsCsv(graph, path)
      const text = await readFile(path, 'utf8')
      expect(text.endsWith('\n')).toBe(true)
      const lines = text.trimEnd().split('\n')
      expect(lines[0]).toBe('user,friend')
      expect(lines.length - 1).toBe([...graph.pairs()].length)
      for (const line of lines.slice(1)) expect(line).toMatch(/^u\d{6},u\d{6}$/)
      const [user, friend] = lines[1]!.split(',')
      const [firstUser, firstFriend] = graph.pairs().next().value!
      expect([user, friend]).toEqual([population.userId(firstUser), population.userId(firstFriend)])
      expect(friendsCsvChunks(graph, 100).next().value).toBe(`${lines.slice(0, 100).join('\n')}\n`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('copes with tiny populations and refuses bad options', () => {
    const one = new Population({ users: 1, rooms: 1, seed: 1 })
    expect([...buildFriendGraph(one, { seed: 1 }).pairs()]).toEqual([])
    expect(() => buildFriendGraph(population, { perUser: -1, seed: 1 })).toThrow(RangeError)
    expect(() => buildFriendGraph(population, { sameRoomShare: 2, seed: 1 })).toThrow(RangeError)
  })
})
