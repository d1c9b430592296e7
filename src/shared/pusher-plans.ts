/**
 * Pusher Channels' plans and their daily message caps, for the broadcaster's budget presets.
 *
 * Sources (read for this project; see docs/broadcasting.md, "The message budget"):
 * - Messages are counted per UTC day, 00:00 to 23:59 UTC
 *   (https://docs.bird.com/pusher/channels/channels/limits/over-what-time-period-are-my-channels-limits-counted);
 *   one message per event published plus one per client it is delivered to, and REST calls and webhooks
 *   count too (https://docs.bird.com/pusher/channels/channels/limits/how-is-my-message-count-calculated-in-channels);
 *   over the cap, publishing is refused with 403 until the day ends
 *   (https://docs.bird.com/pusher/channels/channels/limits/what-happens-when-i-hit-my-channels-plan-limits).
 * - The caps per plan are those of https://pusher.com/channels/pricing as transcribed on 2026-05-08 in
 *   api-evangelist/pusher `plans/pusher-plans-pricing.yml` (a third-party copy, not Pusher's own file:
 *   check your plan in Pusher's dashboard and give the number when it differs). Sandbox's 200,000 is
 *   also Pusher's own example in
 *   https://docs.bird.com/pusher/account-billing/account-billing/plans/how-does-my-channels-plan-level-affect-the-limits-of-my-apps.
 */

export const PLAN_IDS = ['sandbox', 'startup', 'pro', 'business', 'premium', 'growth', 'plus', 'growth-plus'] as const
export type PlanId = (typeof PLAN_IDS)[number]

export interface PusherPlan {
  id: PlanId
  name: string
  messagesPerDay: number
  connections: number
}

export const PUSHER_PLANS: readonly PusherPlan[] = [
  { id: 'sandbox', name: 'Sandbox', messagesPerDay: 200_000, connections: 100 },
  { id: 'startup', name: 'Startup', messagesPerDay: 1_000_000, connections: 500 },
  { id: 'pro', name: 'Pro', messagesPerDay: 4_000_000, connections: 2_000 },
  { id: 'business', name: 'Business', messagesPerDay: 10_000_000, connections: 5_000 },
  { id: 'premium', name: 'Premium', messagesPerDay: 20_000_000, connections: 10_000 },
  { id: 'growth', name: 'Growth', messagesPerDay: 40_000_000, connections: 15_000 },
  { id: 'plus', name: 'Plus', messagesPerDay: 60_000_000, connections: 20_000 },
  { id: 'growth-plus', name: 'Growth Plus', messagesPerDay: 90_000_000, connections: 30_000 },
]

/** Smallest and largest budgets accepted, messages a day. */
export const MIN_BUDGET = 1_000
export const MAX_BUDGET = 1_000_000_000_000

export function planById(id: PlanId): PusherPlan {
  return PUSHER_PLANS.find((plan) => plan.id === id) as PusherPlan
}

export interface MessageBudget {
  messagesPerDay: number
  /** The plan the figure was taken from (a label), or null for a number given by hand. */
  plan: PlanId | null
}

export type BudgetParse = { ok: true; budget: MessageBudget } | { ok: false; error: string }

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1e9 }

/**
 * A budget as an operator writes it: a plan's name (`growth-plus`, `Growth Plus`) or a number of
 * messages a day (`90000000`, `90,000,000`, `90_000_000`, `90M`, `200k`, `1.5M`).
 */
export function parseBudget(text: string): BudgetParse {
  const trimmed = text.trim()
  const asPlan = trimmed.toLowerCase().replace(/[\s_]+/g, '-')
  const plan = PUSHER_PLANS.find((candidate) => candidate.id === asPlan)
  if (plan) return { ok: true, budget: { messagesPerDay: plan.messagesPerDay, plan: plan.id } }
  const match = /^(\d+(?:[.]\d+)?)\s*([kmb]?)$/i.exec(trimmed.replace(/[,_]/g, ''))
  if (match === null) {
    return {
      ok: false,
      error: `"${text}" is neither a number of messages a day (such as 90000000 or 90M) nor a plan (${PLAN_IDS.join(', ')})`,
    }
  }
  const value = Math.round(Number(match[1]) * (SUFFIX[(match[2] ?? '').toLowerCase()] ?? 1))
  if (!Number.isSafeInteger(value) || value < MIN_BUDGET || value > MAX_BUDGET) {
    return {
      ok: false,
      error: `A budget must be from ${MIN_BUDGET.toLocaleString('en-US')} to ${MAX_BUDGET.toLocaleString('en-US')} messages a day, not ${text}`,
    }
  }
  return { ok: true, budget: { messagesPerDay: value, plan: null } }
}

/** "90,000,000 messages a day (Growth Plus)". */
export function describeBudget(budget: MessageBudget): string {
  const figure = `${budget.messagesPerDay.toLocaleString('en-US')} messages a day`
  return budget.plan === null ? figure : `${figure} (${planById(budget.plan).name})`
}
