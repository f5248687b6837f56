import type { EventQuery, ExecutionQuery } from '@wolfe/application';
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

export function eventListQuery(q: EventQuery): Query {
  const where: string[] = [];
  const params: Params = {};
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
  insertExecution: `INSERT INTO executions (id, runbook, env, version, status, event_id, trigger_index, dedup_key, created_at,
      started_at, finished_at, result, error)
    VALUES (:id, :runbook, :env, :version, :status, :event_id, :trigger_index, :dedup_key, :created_at,
      :started_at, :finished_at, :result, :error)
    ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
    RETURNING id`,
  getExecutionByDedupKey: 'SELECT * FROM executions WHERE dedup_key = ?',
  getExecution: 'SELECT * FROM executions WHERE id = ?',
  /** One statement: pick the oldest queued and move it to running, atomically. */
  claimNext: `UPDATE executions SET status = 'running', started_at = :started_at
    WHERE status = 'queued' AND id = (SELECT id FROM executions WHERE status = 'queued' ORDER BY id ASC LIMIT 1)
    RETURNING *`,
  finish: `UPDATE executions SET status = :status, finished_at = :finished_at, result = :result, error = :error
    WHERE id = :id AND status IN ('queued', 'running')`,
  listByStatus: 'SELECT * FROM executions WHERE status = ? ORDER BY id ASC LIMIT ?',
  insertLog: `INSERT INTO logs (execution_id, seq, ts, level, message, fields)
    VALUES (:execution_id, :seq, :ts, :level, :message, :fields)`,
  /** LIMIT -1 is "no limit" in SQLite: without a limit the caller gets every line. */
  listLogs: 'SELECT * FROM logs WHERE execution_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
} as const;
