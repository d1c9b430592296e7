import { describe, expect, it } from 'vitest'
import { isCacheChannelName, roomTemplateConflict, roomTemplateWarnings, suggestedRoomTemplates } from './broadcast.ts'
import { compileConvention } from './naming.ts'

const twoParts = compileConvention({ kind: 'template', template: 'private-{room}-{user}' })
const withGroups = compileConvention({ kind: 'template', template: 'private-{room}-{group}-{user}' })
const budget = { messagesPerDay: 4_000_000, plan: 'pro' as const }

describe('room channel templates under a naming convention', () => {
  it('refuses a template whose channels read as participants, saying as whom', () => {
    expect(roomTemplateConflict('private-cache-{room}', twoParts)).toBe(
      'Under private-{room}-{user}, private-cache-lobby reads as user "lobby" in room "cache": Headcount would count every room channel as a person. Use a room channel template that doesn\'t match the convention, such as cache-{room}',
    )
    expect(roomTemplateConflict('private-{room}', twoParts)).toBeNull()
    expect(roomTemplateConflict('private-cache-{room}', withGroups)).toBeNull()
  })

  it('offers cache channels first, only those that fit the convention', () => {
    expect(suggestedRoomTemplates(twoParts)).toEqual(['cache-{room}', 'private-{room}'])
    expect(suggestedRoomTemplates(withGroups)).toEqual(['cache-{room}', 'private-cache-{room}', 'private-{room}'])
  })

  it('warns of public channels, recommends a cache channel under a budget, and says what a cache channel changes', () => {
    const kinds = (channelTemplate: string, withBudget: boolean) =>
      roomTemplateWarnings({ channelTemplate, budget: withBudget ? budget : null }, withGroups).map((w) => w.kind)
    expect(kinds('{room}', false)).toEqual(['public'])
    expect(kinds('{room}', true)).toEqual(['public', 'cache-recommended'])
    expect(kinds('private-{room}', true)).toEqual(['cache-recommended'])
    expect(kinds('private-cache-{room}', true)).toEqual(['cache-heartbeat-off'])
    expect(kinds('cache-{room}', true)).toEqual(['public', 'cache-heartbeat-off'])
    expect(roomTemplateWarnings({ channelTemplate: 'private-cache-{room}', budget }, twoParts)[0]?.kind).toBe(
      'reads-as-participant',
    )
    expect(isCacheChannelName('private-encrypted-cache-x')).toBe(true)
    expect(isCacheChannelName('cached-x')).toBe(false)
  })
})
