import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { DatabaseSync } from 'node:sqlite'

/** Written to SQLite's header (`PRAGMA application_id`) so a Headcount history is recognisable: "HCnt". */
export const HEADCOUNT_APPLICATION_ID = 0x48436e74

/** Thrown, without touching the file, for a file that is not a Headcount history this version can use. */
export class HistoryFileError extends Error {
  override name = 'HistoryFileError'
}

/**
 * Migrations in order; `version` is the schema version after the migration. A migration only adds:
 * each runs once, in its own transaction, and is recorded in `schema_migrations`.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- Rooms by small integer id, so samples and sessions do not repeat room names.
      CREATE TABLE rooms (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE room_groups (
        room_id INTEGER NOT NULL REFERENCES rooms (id),
        name TEXT NOT NULL,
        PRIMARY KEY (room_id, name)
      ) WITHOUT ROWID;

      -- A row only when a room's count or groups changed; the value holds until the next row.
      CREATE TABLE samples (
        room_id INTEGER NOT NULL REFERENCES rooms (id),
        t INTEGER NOT NULL,
        count INTEGER NOT NULL CHECK (count >= 0),
        groups TEXT NOT NULL,
        PRIMARY KEY (room_id, t)
      ) WITHOUT ROWID;

      -- One row per successful sync: the total, and the commit mark of the tick.
      CREATE TABLE ticks (
        t INTEGER PRIMARY KEY,
        total INTEGER NOT NULL,
        channels INTEGER NOT NULL,
        unmatched INTEGER NOT NULL,
        rooms INTEGER NOT NULL
      );

      -- 1-minute roll-ups for minutes in which the value changed (see rollup.ts).
      CREATE TABLE rollups (
        room_id INTEGER NOT NULL REFERENCES rooms (id),
        minute INTEGER NOT NULL,
        min INTEGER NOT NULL,
        max INTEGER NOT NULL,
        avg REAL NOT NULL,
        last INTEGER NOT NULL,
        last_groups TEXT NOT NULL,
        PRIMARY KEY (room_id, minute)
      ) WITHOUT ROWID;
      CREATE TABLE total_rollups (
        minute INTEGER PRIMARY KEY,
        min INTEGER NOT NULL,
        max INTEGER NOT NULL,
        avg REAL NOT NULL,
        last INTEGER NOT NULL
      );

      CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        from_t INTEGER NOT NULL,
        to_t INTEGER NOT NULL,
        reason TEXT NOT NULL,
        CHECK (to_t > from_t)
      );
      CREATE INDEX gaps_by_end ON gaps (to_t);

      CREATE TABLE errors (
        id INTEGER PRIMARY KEY,
        t INTEGER NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX errors_by_time ON errors (t);

      -- grp is '' for members without a group. Ids grow with time (ticks are written in order).
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        room_id INTEGER NOT NULL REFERENCES rooms (id),
        user TEXT NOT NULL,
        grp TEXT NOT NULL DEFAULT '',
        joined INTEGER NOT NULL,
        left INTEGER,
        CHECK (left IS NULL OR left >= joined)
      );
      -- At most one open session per member; also how a leave finds its session.
      CREATE UNIQUE INDEX sessions_open ON sessions (room_id, user, grp) WHERE left IS NULL;
      CREATE INDEX sessions_by_room ON sessions (room_id, joined);
    `,
  },
  {
    // What history promises (DESIGN §5a): gaps say why, sessions say how their ends are known, a
    // group's first appearance is kept (before it, its count is unknown, not 0), and changes of setup
    // (naming convention, sync mode, broadcasting) are events.
    version: 2,
    sql: `
      -- Why nothing is known over the gap (GapCause in src/shared/history.ts); the reason keeps the words.
      ALTER TABLE gaps ADD COLUMN kind TEXT NOT NULL DEFAULT 'sync-failed';
      UPDATE gaps SET kind = 'not-recording' WHERE reason = 'Headcount was not recording';

      -- NULL: seen as it happened (at a sync, between two syncs that both saw the room).
      -- join_note 'resumed': already present at the first sync after a gap or when recording began.
      -- join_note / leave_note 'convention': read anew / no longer read so after the naming convention changed.
      -- leave_note 'gap': gone at the first sync after a gap; "left" is when last seen.
      ALTER TABLE sessions ADD COLUMN join_note TEXT;
      ALTER TABLE sessions ADD COLUMN leave_note TEXT;

      ALTER TABLE room_groups ADD COLUMN first_seen INTEGER;
      UPDATE room_groups SET first_seen = (
        SELECT min(t) FROM (
          SELECT min(s.t) AS t FROM samples s, json_each(s.groups) j
            WHERE s.room_id = room_groups.room_id AND j.key = room_groups.name
          UNION ALL
          SELECT min(r.minute) FROM rollups r, json_each(r.last_groups) j
            WHERE r.room_id = room_groups.room_id AND j.key = room_groups.name
        )
      );

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        t INTEGER NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX events_by_time ON events (t);

      -- A history from before: whether its last run stopped or died is unknown, and so is who stayed.
      INSERT OR IGNORE INTO meta (key, value)
        SELECT 'pending_gap', json_object('from', t + 1, 'cause', 'not-recording', 'detail', '')
        FROM (SELECT max(t) AS t FROM ticks) WHERE t IS NOT NULL;
    `,
  },
  {
    version: 3,
    // The alert log (alert-log.ts): one row per firing of a rule, resolved in place when it stops.
    // Self-contained (IF NOT EXISTS), so its place in this list may move without harm.
    sql: `
      CREATE TABLE IF NOT EXISTS alert_log (
        id INTEGER PRIMARY KEY,
        rule_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        room TEXT,
        fired_at INTEGER NOT NULL,
        message TEXT NOT NULL,
        resolved_at INTEGER,
        resolution TEXT,
        CHECK (resolved_at IS NULL OR resolved_at >= fired_at)
      );
      CREATE INDEX IF NOT EXISTS alert_log_by_time ON alert_log (fired_at);
      -- A rule fires at most once at a time for a subject (a room, or the connection).
      CREATE UNIQUE INDEX IF NOT EXISTS alert_log_open ON alert_log (rule_id, ifnull(room, ''))
        WHERE resolved_at IS NULL;
    `,
  },
]

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0

interface Inspection {
  /** No file, an empty file, or an empty SQLite database: safe to initialise. */
  blank: boolean
  version: number
}

/**
 * Looks at an existing file without changing it: SQLite's magic bytes first (so a stray text file is
 * named as such), then, read-only, its application id and schema version.
 */
export function inspectHistoryFile(path: string): Inspection {
  let size: number
  try {
    const stat = statSync(path)
    if (stat.isDirectory()) throw new HistoryFileError(`${path} is a folder, not a history database`)
    size = stat.size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { blank: true, version: 0 }
    throw error
  }
  if (size > 0) {
    const header = Buffer.alloc(16)
    const fd = openSync(path, 'r')
    try {
      readSync(fd, header, 0, 16, 0)
    } finally {
      closeSync(fd)
    }
    if (header.toString('latin1') !== 'SQLite format 3\0')
      throw new HistoryFileError(`${path} is not a Headcount history database (not an SQLite file)`)
  }
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, { readOnly: true })
  } catch (error) {
    throw new HistoryFileError(`${path} cannot be opened: ${(error as Error).message}`)
  }
  try {
    const applicationId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id
    const tables = (
      db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }
    ).n
    if (applicationId === 0 && tables === 0) return { blank: true, version: 0 }
    if (applicationId !== HEADCOUNT_APPLICATION_ID)
      throw new HistoryFileError(`${path} is not a Headcount history database (it belongs to another application)`)
    const version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0
    if (version > SCHEMA_VERSION) {
      throw new HistoryFileError(
        `${path} was written by a newer Headcount (history schema ${version}; this version reads up to ${SCHEMA_VERSION}); upgrade Headcount to open it`,
      )
    }
    return { blank: false, version }
  } catch (error) {
    if (error instanceof HistoryFileError) throw error
    throw new HistoryFileError(`${path} is not a readable Headcount history database: ${(error as Error).message}`)
  } finally {
    db.close()
  }
}

/** Brings a writable database up to SCHEMA_VERSION. */
export function migrate(db: DatabaseSync, from: number, now: number): void {
  if (from === 0) {
    db.exec(`PRAGMA application_id = ${HEADCOUNT_APPLICATION_ID}`)
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue
    db.exec('BEGIN IMMEDIATE')
    try {
      db.exec(migration.sql)
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, now)
      db.exec(`PRAGMA user_version = ${migration.version}`)
      db.exec('COMMIT')
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }
}
