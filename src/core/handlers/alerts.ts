import { randomUUID } from 'node:crypto'
import { AlertRuleSchema, MAX_ALERT_RULES, type AlertRule, type AlertRuleInput } from '../../shared/alerts.ts'
import { ApiError } from '../../shared/envelope.ts'
import type { EngineContext, HandlerGroup } from './context.ts'

/** A connection's alert rules (kept with its profile) and the connected app's alert log (kept in its history). */
export function alertHandlers(
  context: EngineContext,
): HandlerGroup<'alerts.saveRule' | 'alerts.deleteRule' | 'alerts.log'> {
  const { connection } = context
  return {
    'alerts.saveRule': ({ id, rule }) => saveRule(context, id, rule),
    'alerts.deleteRule': ({ id, ruleId }) => {
      const rules = context.profiles.get(id).alerts
      if (!rules.some((rule) => rule.id === ruleId))
        throw new ApiError('failed', 'No such alert rule (it may have been removed)')
      setRules(
        context,
        id,
        rules.filter((rule) => rule.id !== ruleId),
      )
      return null
    },
    'alerts.log': ({ limit, before }) => ({ entries: connection.requireHistory().alertEntries(limit, before) }),
  }
}

function saveRule(context: EngineContext, id: string, input: AlertRuleInput): AlertRule {
  const rules = context.profiles.get(id).alerts
  if (input.id !== undefined && !rules.some((rule) => rule.id === input.id))
    throw new ApiError('failed', 'No such alert rule (it may have been removed)')
  if (input.id === undefined && rules.length >= MAX_ALERT_RULES)
    throw new ApiError('bad-request', `A connection can have at most ${MAX_ALERT_RULES} alert rules`)
  const rule = AlertRuleSchema.parse({ ...input, id: input.id ?? randomUUID() })
  setRules(
    context,
    id,
    input.id === undefined ? [...rules, rule] : rules.map((candidate) => (candidate.id === rule.id ? rule : candidate)),
  )
  return rule
}

function setRules({ profiles, connection }: EngineContext, id: string, rules: AlertRule[]): void {
  profiles.update(id, { alerts: rules })
  connection.setAlertRules(id, rules)
}
