import { describeRule, type AlertEntry, type AlertEvent, type AlertRule } from '../../shared/alerts.ts'
import type { BroadcastStatus } from '../../shared/broadcast.ts'
import type { Tick } from '../../shared/presence.ts'
import type { SyncStatus } from '../../shared/sync.ts'
import type { HistoryStore } from '../history/history-store.ts'
import type { Logger } from '../logger.ts'
import { AlertEvaluator, type AlertChange } from './evaluator.ts'

export interface AlertMonitorOptions {
  rules: readonly AlertRule[]
  history: HistoryStore
  /** Tells the shells (an `alert` event); called once the change is in the history. */
  emit(event: AlertEvent): void
  logger: Logger
  now?: () => number
  /** Resolved alerts older than this many days are forgotten (the history's roll-up retention). */
  retentionDays(): number
  /** How often time-based rules (stale sync, failing broadcaster) are checked, ms. */
  checkEveryMs?: number
}

const DAY_MS = 86_400_000
const PRUNE_EVERY_MS = 3_600_000
const keyOf = (ruleId: string, room: string | null) => `${ruleId}\u0000${room ?? ''}`

/**
 * The alert rules of the connection being watched, at work: fed by the monitor's ticks and the sync's
 * and broadcaster's statuses, checked every second for rules that depend on time, each firing and
 * resolution written to the history's alert log first and then emitted as an `alert` event. It runs
 * in the engine, so alerts fire whether or not any console is open.
 *
 * Firings still open when it stops stay open in the log; the next start takes them over (see
 * `AlertEvaluator.adopt`), so a restart neither repeats a notification nor leaves one open forever.
 */
export class AlertMonitor {
  private readonly options: AlertMonitorOptions
  private readonly evaluator: AlertEvaluator
  private readonly now: () => number
  /** Open firings by subject, as stored (their ids are what a resolution updates). */
  private readonly open = new Map<string, AlertEntry>()
  /** Changes are stored and emitted one at a time, in the order they happened. */
  private queue: Promise<void> = Promise.resolve()
  private timer: ReturnType<typeof setInterval> | null = null
  private lastPrune = 0

  constructor(options: AlertMonitorOptions) {
    this.options = options
    this.now = options.now ?? Date.now
    this.evaluator = new AlertEvaluator(options.rules)
  }

  /** Takes over the firings the history holds open, then checks time-based rules every second. */
  start(): void {
    const at = this.now()
    const open = this.options.history.openAlerts()
    for (const entry of open) this.open.set(keyOf(entry.ruleId, entry.room), entry)
    this.apply(this.evaluator.adopt(open, at))
    this.timer = setInterval(() => this.tick(), this.options.checkEveryMs ?? 1000)
    this.timer.unref()
    this.prune(at)
  }

  observeTick(tick: Pick<Tick, 'at' | 'changed' | 'removed'>): void {
    this.apply(this.evaluator.observeRooms(tick.at, tick.changed, tick.removed))
  }

  observeSync(sync: SyncStatus): void {
    this.apply(
      this.evaluator.observeSync(
        {
          state: sync.state,
          lastSuccessAt: sync.lastSuccessAt,
          failingSince: sync.error?.since ?? null,
          error: sync.error?.message ?? null,
        },
        this.now(),
      ),
    )
  }

  observeBroadcast(status: BroadcastStatus | undefined): void {
    this.apply(
      this.evaluator.observeBroadcast(
        status ? { state: status.state, error: status.lastError?.message ?? null } : null,
        this.now(),
      ),
    )
  }

  setRules(rules: readonly AlertRule[]): void {
    this.apply(this.evaluator.setRules(rules, this.now()))
  }

  /** Stops checking and waits for changes being stored; open firings stay open for the next start. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.queue
  }

  /** Resolves once every change so far is stored and emitted (tests). */
  settled(): Promise<void> {
    return this.queue
  }

  private tick(): void {
    const at = this.now()
    this.apply(this.evaluator.check(at))
    if (at - this.lastPrune >= PRUNE_EVERY_MS) this.prune(at)
  }

  private prune(at: number): void {
    this.lastPrune = at
    this.options.history
      .pruneAlertLog(at - this.options.retentionDays() * DAY_MS)
      .catch((error: unknown) => this.options.logger.warn('old alerts could not be pruned', error))
  }

  private apply(changes: AlertChange[]): void {
    for (const change of changes) {
      this.queue = this.queue.then(() =>
        this.store(change).catch((error: unknown) =>
          this.options.logger.error(`an alert could not be recorded (${change.message})`, error),
        ),
      )
    }
  }

  private async store(change: AlertChange): Promise<void> {
    const { history, emit } = this.options
    if (change.type === 'fire') {
      const entry = await history.recordAlertFired({
        ruleId: change.rule.id,
        kind: change.rule.kind,
        rule: describeRule(change.rule),
        room: change.room,
        at: change.at,
        message: change.message,
      })
      this.open.set(keyOf(entry.ruleId, entry.room), entry)
      emit({ change: 'fired', entry })
      return
    }
    const key = keyOf(change.ruleId, change.room)
    const open = this.open.get(key)
    if (!open) return
    this.open.delete(key)
    const entry = await history.recordAlertResolved(open.id, change.at, change.message)
    if (entry) emit({ change: 'resolved', entry })
  }
}
