import type { DatabaseSync } from 'node:sqlite';

/**
 * Schema migrations, applied in order at open. `PRAGMA user_version` holds how many have
 * been applied; every pending one runs inside one IMMEDIATE transaction together with the
 * version bump, so a crash mid-migration leaves the previous version intact.
 *
 * Append only: never edit a migration that has shipped, add a new one.
 *
 * Conventions: ids are caller-generated UUIDv7 text (time-ordered, so `ORDER BY id DESC` is
 * newest first and needs no created-at index); timestamps are ISO-8601 text; JSON values
 * are text (`labels`, `explanation`, `result`, …) and are never truncated here.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE deliveries (
    id            TEXT PRIMARY KEY NOT NULL,
    source        TEXT NOT NULL,
    env           TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    content_type  TEXT,
    body          TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    error         TEXT,
    event_ids     TEXT NOT NULL            -- JSON array of event ids, in delivery order
  );

  CREATE TABLE events (
    id                  TEXT PRIMARY KEY NOT NULL,
    delivery_id         TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    source              TEXT NOT NULL,
    env                 TEXT NOT NULL,
    fingerprint         TEXT NOT NULL,
    source_fingerprint  TEXT,
    labels              TEXT NOT NULL,     -- JSON object
    annotations         TEXT NOT NULL,     -- JSON object
    status              TEXT NOT NULL,
    starts_at           TEXT,
    ends_at             TEXT,
    source_url          TEXT,
    received_at         TEXT NOT NULL,
    decision            TEXT,              -- NULL = accepted, not yet routed
    decided_at          TEXT,
    explanation         TEXT NOT NULL,     -- JSON array of CandidateExplanation
    execution_ids       TEXT NOT NULL      -- JSON array
  );
  -- The FK child index: without it, deleting a delivery (retention) scans every event.
  CREATE INDEX events_by_delivery ON events (delivery_id);
  -- History page filters, each ending in id so "WHERE f = ? AND id < ? ORDER BY id DESC"
  -- is one index range walk. (decision, id) also serves "decision IS NULL ORDER BY id"
  -- (listUndecided and the 'none' filter): IS NULL is an equality constraint for the planner.
  CREATE INDEX events_by_decision ON events (decision, id);
  CREATE INDEX events_by_source   ON events (source, id);
  CREATE INDEX events_by_env      ON events (env, id);

  CREATE TABLE executions (
    id             TEXT PRIMARY KEY NOT NULL,
    runbook        TEXT NOT NULL,
    env            TEXT NOT NULL,
    version        TEXT NOT NULL,
    status         TEXT NOT NULL,
    event_id       TEXT,                   -- no FK: executions outlive event retention
    trigger_index  INTEGER,
    dedup_key      TEXT,
    created_at     TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT,
    result         TEXT,                   -- JSON; NULL when the result is null
    error          TEXT                    -- JSON ExecutionError or NULL
  );
  -- One real problem, one remediation: enforced here, atomically, not in application code.
  CREATE UNIQUE INDEX executions_dedup_key ON executions (dedup_key) WHERE dedup_key IS NOT NULL;
  -- (status, id) also serves claimNext (oldest queued) and listByStatus.
  CREATE INDEX executions_by_status  ON executions (status, id);
  CREATE INDEX executions_by_runbook ON executions (runbook, id);
  CREATE INDEX executions_by_env     ON executions (env, id);

  CREATE TABLE logs (
    execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    ts            TEXT NOT NULL,
    level         TEXT NOT NULL,
    message       TEXT NOT NULL,
    fields        TEXT,                    -- JSON object or NULL
    PRIMARY KEY (execution_id, seq)
  );
  `,
  // 2: series, pending runs (trigger for:), the deliveries ledger
  `
  -- The deliveries ledger (rejected payloads are browsable): filter + id, like events.
  CREATE INDEX deliveries_by_outcome ON deliveries (outcome, id);
  CREATE INDEX deliveries_by_source  ON deliveries (source, id);
  CREATE INDEX deliveries_by_env     ON deliveries (env, id);

  -- One row per label set and environment (libs/series). Updated compare-and-set on
  -- version; transitions is a bounded JSON array.
  CREATE TABLE series (
    env                TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    labels             TEXT NOT NULL,      -- JSON object
    state              TEXT NOT NULL,      -- firing | resolved
    episode            TEXT NOT NULL,
    episode_starts_at  TEXT,
    episode_seen_at    TEXT NOT NULL,
    last_event_id      TEXT NOT NULL,
    last_seen_at       TEXT NOT NULL,
    transitions        TEXT NOT NULL,      -- JSON array of SeriesTransition, oldest first
    flapping           INTEGER NOT NULL,   -- 0 | 1
    flapping_since     TEXT,
    version            INTEGER NOT NULL,
    PRIMARY KEY (env, fingerprint)
  ) WITHOUT ROWID;
  -- Only the (few) flapping series: a timer re-checks them.
  CREATE INDEX series_flapping ON series (flapping) WHERE flapping = 1;

  -- Runs waiting for their trigger's for: (durable across restarts).
  CREATE TABLE pending (
    id             TEXT PRIMARY KEY NOT NULL,
    env            TEXT NOT NULL,
    runbook        TEXT NOT NULL,
    version        TEXT NOT NULL,
    trigger_index  INTEGER NOT NULL,
    event_id       TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    episode        TEXT NOT NULL,
    dedup_key      TEXT NOT NULL,
    for_ms         INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    due_at         TEXT NOT NULL
  );
  -- One pending run per would-be execution, enforced here like executions_dedup_key.
  CREATE UNIQUE INDEX pending_dedup_key ON pending (dedup_key);
  CREATE INDEX pending_by_due    ON pending (due_at, id);
  CREATE INDEX pending_by_series ON pending (env, fingerprint, id);
  `,
  // 3: steps (ctx.step) and attachments (ctx.attach) of executions
  `
  -- One row per step: written when it starts (running) and replaced when it ends
  -- (INSERT … ON CONFLICT (execution_id, seq) DO UPDATE). The primary key serves
  -- "WHERE execution_id = ? ORDER BY seq".
  CREATE TABLE steps (
    execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,           -- running | succeeded | failed
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    output        TEXT,                    -- short JSON preview (bounded by the sandbox) or NULL
    error         TEXT,
    PRIMARY KEY (execution_id, seq)
  );

  -- One row per attachment, never one growing blob per execution. A rowid table (rows are
  -- up to 256 KiB), and data is the LAST column: the metadata list reads the columns before
  -- it from the row's first page and never touches data's overflow pages.
  CREATE TABLE attachments (
    execution_id  TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,        -- bytes of data in UTF-8
    data          TEXT NOT NULL,           -- JSON text, as given
    PRIMARY KEY (execution_id, seq)
  );
  `,
  // projects: a runbook is (project, name); projects created through the API
  `
  -- Rows from before projects belong to the embedded project.
  ALTER TABLE executions ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE pending    ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX executions_by_project ON executions (project, id);

  -- Projects created through the API (POST /api/v1/projects): every process of a deployment
  -- sharing the store serves them, and they survive a restart. Never a secret in here: a
  -- token or webhook secret is named by its environment variable.
  CREATE TABLE projects (
    name        TEXT PRIMARY KEY NOT NULL,
    remote      TEXT,                      -- JSON ProjectRemoteRecord or NULL
    settings    TEXT NOT NULL,             -- JSON ProjectSettingsRecord
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // ctx.secrets (encrypted values only) and ctx.state
  `
  -- One row per secret of a project in one environment. ciphertext is made by the server's
  -- cipher (AES-256-GCM, key outside the database): the plaintext is never stored.
  CREATE TABLE secrets (
    project     TEXT NOT NULL,
    env         TEXT NOT NULL,
    name        TEXT NOT NULL,
    ciphertext  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (project, env, name)
  ) WITHOUT ROWID;

  -- A runbook's persistent key-value store (bounded by the application: 1,000 keys, 64 KiB
  -- values). The primary key serves get, the count of a scope and the list by key.
  CREATE TABLE runbook_state (
    project     TEXT NOT NULL,
    runbook     TEXT NOT NULL,
    env         TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    value       TEXT NOT NULL,             -- JSON
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (project, runbook, env, state_key)
  );
  `,
  // execution leases: several processes share one store
  `
  -- The Wolfe instance running an execution and until when it holds it (renewed while it runs).
  -- Rows from before leases have neither: a running one counts as expired.
  ALTER TABLE executions ADD COLUMN owner       TEXT;
  ALTER TABLE executions ADD COLUMN lease_until TEXT;
  -- The expiry sweep (listExpired): walks the running executions in lease order, no sort
  -- (NULL first: the rows from before leases). Running executions are few.
  CREATE INDEX executions_by_status_lease ON executions (status, lease_until);
  `,
];

export function schemaVersion(db: DatabaseSync): number {
  const v = db.prepare('PRAGMA user_version').get()?.['user_version'];
  if (typeof v !== 'number') throw new Error('PRAGMA user_version returned no number');
  return v;
}

function newerError(current: number, known: number): Error {
  return new Error(
    `database schema version ${current} is newer than this build understands (${known}); ` +
      'upgrade Wolfe or open a matching backup',
  );
}

/** Throws, before anything is written, if the file was migrated by a newer Wolfe. */
export function assertNotNewer(db: DatabaseSync, migrations: readonly string[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  if (current > migrations.length) throw newerError(current, migrations.length);
}

/** Brings the schema to `MIGRATIONS.length`. Throws if the file is from a newer Wolfe. */
export function migrate(db: DatabaseSync, migrations: readonly string[] = MIGRATIONS): number {
  const version = (): number => schemaVersion(db);
  if (version() === migrations.length) return migrations.length;
  // IMMEDIATE takes the write lock first, so two processes opening the same new file
  // cannot both run migration 1; the second one re-reads the version after the first.
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = version();
    if (current > migrations.length) throw newerError(current, migrations.length);
    for (let v = current; v < migrations.length; v++) {
      db.exec(migrations[v] ?? '');
      db.exec(`PRAGMA user_version = ${v + 1}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
  return migrations.length;
}
