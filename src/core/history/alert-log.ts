import type { AlertEntry, AlertKind } from '../../shared/alerts.ts'
import { clampInt, type HistoryDb } from './history-db.ts'

/** A rule firing, as the alert engine records it. */
export interface AlertFiring {
  ruleId: string
  kind: AlertKind
  /** The rule in words when it fired. */
  rule: string
  room: string | null
  at: number
  message: string
}

interface AlertRow {
  id: number
  rule_id: string
  kind: AlertKind
  rule: string
  room: string | null
  fired_at: number
  message: string
  resolved_at: number | null
  resolution: string | null
}

const COLUMNS = 'id, rule_id, kind, rule, room, fired_at, message, resolved_at, resolution'

function entryOf(row: AlertRow): AlertEntry {
  return {
    id: row.id,
    ruleId: row.rule_id,
    kind: row.kind,
    rule: row.rule,
    room: row.room,
    firedAt: row.fired_at,
    message: row.message,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
  }
}

/**
 * The alert log in the history (table `alert_log`): one row per firing of a rule, and its resolution
 * written into the same row when the rule stops being true. Rows still open after a stop or a crash
 * are what the alert engine picks up again when it starts.
 */
export class AlertLog {
  private readonly db: HistoryDb

  constructor(db: HistoryDb) {
    this.db = db
  }

  /**
   * Records a firing. A rule already open for the same subject (left by a crash) is closed first, so
   * the log never holds two open firings of one rule for one room.
   */
  fire(firing: AlertFiring): AlertEntry {
    this.db
      .statement(
        "UPDATE alert_log SET resolved_at = max(fired_at, ?), resolution = 'Superseded by a new firing' WHERE rule_id = ? AND ifnull(room, '') = ifnull(?, '') AND resolved_at IS NULL",
      )
      .run(firing.at, firing.ruleId, firing.room)
    const row = this.db
      .statement(
        `INSERT INTO alert_log (rule_id, kind, rule, room, fired_at, message) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      )
      .get(firing.ruleId, firing.kind, firing.rule, firing.room, firing.at, firing.message) as unknown as AlertRow
    return entryOf(row)
  }

  /** Writes the resolution into an open firing; null when there is no such open firing. */
  resolve(id: number, at: number, resolution: string): AlertEntry | null {
    const row = this.db
      .statement(
        `UPDATE alert_log SET resolved_at = max(fired_at, ?), resolution = ? WHERE id = ? AND resolved_at IS NULL RETURNING ${COLUMNS}`,
      )
      .get(at, resolution, id) as AlertRow | undefined
    return row ? entryOf(row) : null
  }

  /** Newest first, `limit` of them, older than the entry `before` when given. */
  entries(limit: number, before?: number): AlertEntry[] {
    const rows = this.db
      .statement(`SELECT ${COLUMNS} FROM alert_log WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(before ?? Number.MAX_SAFE_INTEGER, clampInt(limit, 1, 10_000)) as unknown as AlertRow[]
    return rows.map(entryOf)
  }

  /** Firings not resolved yet, oldest first. */
  open(): AlertEntry[] {
    const rows = this.db
      .statement(`SELECT ${COLUMNS} FROM alert_log WHERE resolved_at IS NULL ORDER BY id`)
      .all() as unknown as AlertRow[]
    return rows.map(entryOf)
  }

  /** Forgets resolved firings that ended before `before` (the roll-up retention); returns how many. */
  prune(before: number): number {
    const result = this.db
      .statement('DELETE FROM alert_log WHERE resolved_at IS NOT NULL AND resolved_at < ?')
      .run(before)
    return Number(result.changes)
  }
}
