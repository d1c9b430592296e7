import { describe, expect, it } from 'vitest'
import { MessageBudgetSchema } from './broadcast.ts'
import { describeBudget, parseBudget, PUSHER_PLANS } from './pusher-plans.ts'

describe('message budgets', () => {
  it('reads plans by id or name, and numbers with separators or a suffix', () => {
    expect(parseBudget('growth-plus')).toEqual({
      ok: true,
      budget: { messagesPerDay: 90_000_000, plan: 'growth-plus' },
    })
    expect(parseBudget(' Growth Plus ')).toEqual({
      ok: true,
      budget: { messagesPerDay: 90_000_000, plan: 'growth-plus' },
    })
    for (const text of ['90000000', '90,000,000', '90_000_000', '90M', '90m', '0.09b']) {
      expect(parseBudget(text)).toEqual({ ok: true, budget: { messagesPerDay: 90_000_000, plan: null } })
    }
    expect(parseBudget('1.5M')).toEqual({ ok: true, budget: { messagesPerDay: 1_500_000, plan: null } })
    expect(parseBudget('200k')).toEqual({ ok: true, budget: { messagesPerDay: 200_000, plan: null } })
  })

  it('refuses other words and figures out of range, saying what it takes', () => {
    const lots = parseBudget('lots')
    expect(lots.ok).toBe(false)
    if (!lots.ok) expect(lots.error).toMatch(/neither a number of messages a day .* nor a plan \(sandbox, startup/)
    for (const text of ['-5', '12', '2e12', '', '5 apples']) expect(parseBudget(text).ok).toBe(false)
  })

  it('keeps a plan label true to its figure in the contract', () => {
    for (const plan of PUSHER_PLANS) {
      expect(MessageBudgetSchema.safeParse({ messagesPerDay: plan.messagesPerDay, plan: plan.id }).success).toBe(true)
    }
    expect(MessageBudgetSchema.safeParse({ messagesPerDay: 5_000_000, plan: 'pro' }).success).toBe(false)
    expect(MessageBudgetSchema.safeParse({ messagesPerDay: 5_000_000, plan: null }).success).toBe(true)
    expect(describeBudget({ messagesPerDay: 90_000_000, plan: 'growth-plus' })).toBe(
      '90,000,000 messages a day (Growth Plus)',
    )
  })
})
