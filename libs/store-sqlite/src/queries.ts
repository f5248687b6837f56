import type { DeliveryQuery, EventQuery, ExecutionQuery, Timestamp } from '@wolfe/application';
import type { Params } from './rows';

/**
 * The history-page queries. Every shape is "equality filters + id < cursor, ORDER BY id
 * DESC LIMIT n+1", which one of the (filter, id) indexes answers with a single range walk
 * and no sort (the integration spec checks the plans). One extra row tells whether there is
 * a next page without a COUNT.
 */
export interface Query {
  readonly sql: string;
  readonly params: Params;
}

export function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

function page(table: string, where: string[], params: Params, cursor: string | null | undefined, limit: number): Query {
  assertLimit(limit);
  if (cursor !== undefined && cursor !== null) {
    where.push('id < :cursor');
    params['cursor'] = cursor;
  }
  params['fetch'] = limit + 1;
  const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT * FROM ${table}${clause} ORDER BY id DESC LIMIT :fetch`, params };
}

/**
 * The smallest UUIDv7 made at or after `since`: the first 48 bits of an id are its Unix
 * milliseconds, big-endian, so in the canonical lowercase text form "id >= bound" is
 * "made at or after since".
 */
export function idLowerBound(since: Timestamp): string {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new RangeError(`since must be an ISO-8601 time, got ${JSON.stringify(since)}`);
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1))
    .toString(16)
    .padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

export function deliveryListQuery(q: DeliveryQuery): Query {
  const where: string[] = [];
  const params: Params = {};
  if (q.outcome !== undefined) {
    where.push('outcome = :outcome');
    params['outcome'] = q.outcome;
  }
  if (q.source !== undefined) {
    where.push('source = :source');
    params['source'] = q.source;
  }
  if (q.env !== undefined) {
    where.push('env = :env');
    params['env'] = q.env;
  }
  return page('deliveries', where, params, q.cursor, q.limit);
}

export function eventListQuery(q: EventQuery): Query {
  const where: string[] = [];
  const params: Params = {};
  if (q.since !== undefined) {
    where.push('id >= :since');
    params['since'] = idLowerBound(q.since);
  }
  if (q.env !== undefined) {
    where.push('env = :env');
    params['env'] = q.env;
  }
  if (q.source !== undefined) {
    where.push('source = :source');
    params['source'] = q.source;
  }
  if (q.decision === 'none') {
    where.push('decision IS NULL');
  } else if (q.decision !== undefined) {
    where.push('decision = :decision');
    params['decision'] = q.decision;
  }
  return page('events', where, params, q.cursor, q.limit);
}

export function executionListQuery(q: ExecutionQuery): Query {
  const where: string[] = [];
  const params: Params = {};
  if (q.project !== undefined) {
    where.push('project = :project');
    params['project'] = q.project;
  }
  if (q.runbook !== undefined) {
    where.push('runbook = :runbook');
    params['runbook'] = q.runbook;
  }
  if (q.status !== undefined) {
    where.push('status = :status');
    params['status'] = q.status;
  }
  if (q.env !== undefined) {
    where.push('env = :env');
    params['env'] = q.env;
  }
  return page('executions', where, params, q.cursor, q.limit);
}

export const SQL = {
  insertDelivery: `INSERT INTO deliveries (id, source, env, received_at, content_type, body, outcome, error, event_ids)
    VALUES (:id, :source, :env, :received_at, :content_type, :body, :outcome, :error, :event_ids)`,
  insertEvent: `INSERT INTO events (id, delivery_id, source, env, fingerprint, source_fingerprint, labels, annotations, status,
      starts_at, ends_at, source_url, received_at, decision, decided_at, explanation, execution_ids)
    VALUES (:id, :delivery_id, :source, :env, :fingerprint, :source_fingerprint, :labels, :annotations, :status,
      :starts_at, :ends_at, :source_url, :received_at, :decision, :decided_at, :explanation, :execution_ids)`,
  getDelivery: 'SELECT * FROM deliveries WHERE id = ?',
  getEvent: 'SELECT * FROM events WHERE id = ?',
  listUndecided: 'SELECT * FROM events WHERE decision IS NULL ORDER BY id ASC LIMIT ?',
  recordDecision: `UPDATE events SET decision = :decision, decided_at = :decided_at, explanation = :explanation,
    execution_ids = :execution_ids WHERE id = :id`,
  /** Conflict on the partial unique index = deduplicated: no row comes back, nothing is written. */
  insertExecution: `INSERT INTO executions (id, project, runbook, env, version, status, event_id, trigger_index, dedup_key, created_at,
      started_at, finished_at, result, error, owner, lease_until)
    VALUES (:id, :project, :runbook, :env, :version, :status, :event_id, :trigger_index, :dedup_key, :created_at,
      :started_at, :finished_at, :result, :error, :owner, :lease_until)
    ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
    RETURNING id`,
  getExecutionByDedupKey: 'SELECT * FROM executions WHERE dedup_key = ?',
  getExecution: 'SELECT * FROM executions WHERE id = ?',
  /** One statement: pick the oldest queued and move it to running, atomically. */
  claimNext: `UPDATE executions SET status = 'running', started_at = :started_at, owner = :owner, lease_until = :lease_until
    WHERE status = 'queued' AND id = (SELECT id FROM executions WHERE status = 'queued' ORDER BY id ASC LIMIT 1)
    RETURNING *`,
  finish: `UPDATE executions SET status = :status, finished_at = :finished_at, result = :result, error = :error
    WHERE id = :id AND status IN ('queued', 'running')`,
  listByStatus: 'SELECT * FROM executions WHERE status = ? ORDER BY id ASC LIMIT ?',
  /** One statement for every running execution of the owner (ids: a JSON array). */
  renewLeases: `UPDATE executions SET lease_until = :lease_until
    WHERE owner = :owner AND status = 'running' AND id IN (SELECT value FROM json_each(:ids))`,
  /** Walks executions_by_status_lease (status = 'running') in lease order: no sort. */
  listExpired: `SELECT * FROM executions WHERE status = 'running' AND (lease_until IS NULL OR lease_until < :now)
    ORDER BY lease_until ASC LIMIT :limit`,
  insertLog: `INSERT INTO logs (execution_id, seq, ts, level, message, fields)
    VALUES (:execution_id, :seq, :ts, :level, :message, :fields)`,
  /** LIMIT -1 is "no limit" in SQLite: without a limit the caller gets every line. */
  listLogs: 'SELECT * FROM logs WHERE execution_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
  /** Insert, or replace the step with the same key (its end replaces its start). */
  upsertStep: `INSERT INTO steps (execution_id, seq, name, status, started_at, finished_at, output, error)
    VALUES (:execution_id, :seq, :name, :status, :started_at, :finished_at, :output, :error)
    ON CONFLICT (execution_id, seq) DO UPDATE SET name = excluded.name, status = excluded.status,
      started_at = excluded.started_at, finished_at = excluded.finished_at, output = excluded.output, error = excluded.error`,
  listSteps: 'SELECT * FROM steps WHERE execution_id = ? ORDER BY seq ASC',
  insertAttachment: `INSERT INTO attachments (execution_id, seq, name, content_type, size, data)
    VALUES (:execution_id, :seq, :name, :content_type, :size, :data)`,
  /** Metadata only: data stays on its overflow pages. */
  listAttachments: 'SELECT execution_id, seq, name, content_type, size FROM attachments WHERE execution_id = ? ORDER BY seq ASC',
  getAttachment: 'SELECT * FROM attachments WHERE execution_id = ? AND seq = ?',
  getSeries: 'SELECT * FROM series WHERE env = ? AND fingerprint = ?',
  /** Compare-and-set, first write: nothing is written when the series exists. */
  insertSeries: `INSERT INTO series (env, fingerprint, labels, state, episode, episode_starts_at, episode_seen_at, last_event_id,
      last_seen_at, transitions, flapping, flapping_since, version)
    VALUES (:env, :fingerprint, :labels, :state, :episode, :episode_starts_at, :episode_seen_at, :last_event_id,
      :last_seen_at, :transitions, :flapping, :flapping_since, :version)
    ON CONFLICT (env, fingerprint) DO NOTHING`,
  /** Compare-and-set: only when the stored version is the one the caller read. */
  updateSeries: `UPDATE series SET labels = :labels, state = :state, episode = :episode, episode_starts_at = :episode_starts_at,
      episode_seen_at = :episode_seen_at, last_event_id = :last_event_id, last_seen_at = :last_seen_at,
      transitions = :transitions, flapping = :flapping, flapping_since = :flapping_since, version = :version
    WHERE env = :env AND fingerprint = :fingerprint AND version = :expected`,
  listFlapping: 'SELECT * FROM series WHERE flapping = 1 LIMIT ?',
  insertPending: `INSERT INTO pending (id, env, project, runbook, version, trigger_index, event_id, fingerprint, episode, dedup_key, for_ms,
      created_at, due_at)
    VALUES (:id, :env, :project, :runbook, :version, :trigger_index, :event_id, :fingerprint, :episode, :dedup_key, :for_ms,
      :created_at, :due_at)
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING id`,
  getPending: 'SELECT * FROM pending WHERE id = ?',
  getPendingByDedupKey: 'SELECT * FROM pending WHERE dedup_key = ?',
  listDuePending: 'SELECT * FROM pending WHERE due_at <= ? ORDER BY due_at ASC, id ASC LIMIT ?',
  listPendingBySeries: 'SELECT * FROM pending WHERE env = ? AND fingerprint = ? ORDER BY id ASC',
  deletePending: 'DELETE FROM pending WHERE id = ?',
  /** Insert-or-nothing: no row comes back when the name is taken. */
  insertProject: `INSERT INTO projects (name, remote, settings, created_at, created_by)
    VALUES (:name, :remote, :settings, :created_at, :created_by)
    ON CONFLICT (name) DO NOTHING
    RETURNING name`,
  getProject: 'SELECT * FROM projects WHERE name = ?',
  listProjects: 'SELECT * FROM projects ORDER BY name ASC',
  deleteProject: 'DELETE FROM projects WHERE name = ?',
} as const;
