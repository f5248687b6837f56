import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Series } from '@wolfe/series';
import type {
  AttachmentRecord,
  AttachmentRepository,
  CandidateExplanation,
  CreateExecutionResult,
  CreatePendingResult,
  CreateProjectResult,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryRepository,
  EventDecision,
  EventQuery,
  EventRecord,
  EventRepository,
  ExecutionFinish,
  ExecutionQuery,
  ExecutionRecord,
  ExecutionRepository,
  ExecutionStatus,
  LogRecord,
  LogRepository,
  Page,
  PendingRecord,
  PendingRepository,
  ProjectRecord,
  ProjectRepository,
  SecretRepository,
  SeriesRepository,
  StepRecord,
  StepRepository,
  StateRepository,
  Store,
  Timestamp,
} from '@wolfe/application';
import { sqliteSecrets, sqliteState, type SqliteAccess } from './capabilities';
import { assertLimit, deliveryListQuery, eventListQuery, executionListQuery, SQL, type Query } from './queries';
import {
  attachmentParams,
  deliveryParams,
  eventParams,
  executionParams,
  logParams,
  pendingParams,
  projectParams,
  seriesParams,
  stepParams,
  toAttachment,
  toAttachmentInfo,
  toDelivery,
  toEvent,
  toExecution,
  toJson,
  toLog,
  toPending,
  toProject,
  toSeries,
  toStep,
  type Params,
  type Row,
} from './rows';
import { assertNotNewer, migrate } from './schema';
import { WriteQueue, type WriteQueueStats } from './write-queue';

export interface SqliteStoreOptions {
  /** A file path, or `':memory:'` (tests; nothing survives close). */
  readonly path: string;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Most writes per group-commit transaction. Default 200. */
  readonly maxBatch?: number;
}

export interface SqliteSettings {
  readonly journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  readonly synchronous: number;
  readonly foreignKeys: boolean;
  readonly busyTimeoutMs: number;
  /** PRAGMA user_version: the number of migrations applied. */
  readonly schemaVersion: number;
}

type Bind = Params | readonly SQLInputValue[];

/**
 * The store ports on one node:sqlite connection (WAL, synchronous=FULL, foreign keys).
 * Reads run immediately; writes go through the group-commit queue (see write-queue.ts) and
 * resolve after the COMMIT that contains them. All statements are prepared once and cached.
 */
export class SqliteStore implements Store {
  readonly deliveries: DeliveryRepository;
  readonly events: EventRepository;
  readonly executions: ExecutionRepository;
  readonly logs: LogRepository;
  readonly steps: StepRepository;
  readonly attachments: AttachmentRepository;
  readonly series: SeriesRepository;
  readonly pending: PendingRepository;
  readonly projects: ProjectRepository;
  readonly secrets: SecretRepository;
  readonly state: StateRepository;

  private readonly statements = new Map<string, StatementSync>();
  private readonly writes: WriteQueue;
  private closed = false;

  private constructor(
    private readonly db: DatabaseSync,
    maxBatch: number,
  ) {
    this.writes = new WriteQueue(db, maxBatch);
    this.deliveries = {
      record: (delivery, events) => this.record(delivery, events),
      get: async (id) => this.one(SQL.getDelivery, [id], toDelivery),
      list: async (query: DeliveryQuery) => this.page(deliveryListQuery(query), query, toDelivery),
    };
    this.events = {
      get: async (id) => this.one(SQL.getEvent, [id], toEvent),
      list: async (query) => this.page(eventListQuery(query), query, toEvent),
      listUndecided: async (limit) => {
        assertLimit(limit);
        return this.all(SQL.listUndecided, [limit], toEvent);
      },
      recordDecision: (id, decision, explanation, executionIds, decidedAt) =>
        this.recordDecision(id, decision, explanation, executionIds, decidedAt),
    };
    this.executions = {
      createIfAbsent: (execution) => this.createIfAbsent(execution),
      get: async (id) => this.one(SQL.getExecution, [id], toExecution),
      list: async (query: ExecutionQuery) => this.page(executionListQuery(query), query, toExecution),
      claimNext: (startedAt, owner, leaseUntil) => this.claimNext(startedAt, owner, leaseUntil),
      renewLeases: (owner, ids, leaseUntil) => this.renewLeases(owner, ids, leaseUntil),
      listExpired: async (now, limit) => {
        assertLimit(limit);
        return this.all(SQL.listExpired, { now, limit }, toExecution);
      },
      finish: (id, finish) => this.finish(id, finish),
      listByStatus: async (status: ExecutionStatus, limit: number) => {
        assertLimit(limit);
        return this.all(SQL.listByStatus, [status, limit], toExecution);
      },
    };
    this.logs = {
      append: (entries) => this.append(entries),
      list: async (executionId, afterSeq, limit) => {
        if (limit !== undefined) assertLimit(limit);
        return this.all(SQL.listLogs, [executionId, afterSeq ?? -1, limit ?? -1], toLog);
      },
    };
    this.steps = {
      upsert: (steps) => this.upsertSteps(steps),
      list: async (executionId) => this.all(SQL.listSteps, [executionId], toStep),
    };
    this.attachments = {
      append: (attachments) => this.appendAttachments(attachments),
      list: async (executionId) => this.all(SQL.listAttachments, [executionId], toAttachmentInfo),
      get: async (executionId, seq) => this.one(SQL.getAttachment, [executionId, seq], toAttachment),
    };
    this.series = {
      get: async (env, fingerprint) => this.one(SQL.getSeries, [env, fingerprint], toSeries),
      put: (next, expectedVersion) => this.putSeries(next, expectedVersion),
      listFlapping: async (limit) => {
        assertLimit(limit);
        return this.all(SQL.listFlapping, [limit], toSeries);
      },
    };
    this.pending = {
      createIfAbsent: (pending) => this.createPending(pending),
      get: async (id) => this.one(SQL.getPending, [id], toPending),
      listDue: async (now, limit) => {
        assertLimit(limit);
        return this.all(SQL.listDuePending, [now, limit], toPending);
      },
      listBySeries: async (env, fingerprint) => this.all(SQL.listPendingBySeries, [env, fingerprint], toPending),
      delete: (id) => this.write(() => Number(this.statement(SQL.deletePending).run(id).changes) === 1),
    };
    this.projects = {
      create: (project) => this.createProject(project),
      get: async (name) => this.one(SQL.getProject, [name], toProject),
      list: async () => this.all(SQL.listProjects, [], toProject),
      delete: (name) => this.write(() => Number(this.statement(SQL.deleteProject).run(name).changes) === 1),
    };
    const access: SqliteAccess = { statement: (sql) => this.statement(sql), write: (fn) => this.write(fn) };
    this.secrets = sqliteSecrets(access);
    this.state = sqliteState(access);
  }

  /** Opens (creating if needed) the database, sets the pragmas and migrates the schema. */
  static open(options: SqliteStoreOptions): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(options.path, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
    } catch (err) {
      throw new Error(`cannot open sqlite database at ${options.path}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    try {
      db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      assertNotNewer(db);
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode'];
      if (mode !== 'wal' && options.path !== ':memory:') {
        throw new Error(`sqlite refused WAL mode for ${options.path} (journal_mode is ${String(mode)})`);
      }
      // FULL: the WAL is fsynced at every COMMIT, so a resolved write survives an OS crash
      // or power loss, not only a process crash. Group commit pays for it (README.md).
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA foreign_keys = ON');
      // macOS: fsync() does not flush the drive cache; F_FULLFSYNC does. No-op elsewhere.
      db.exec('PRAGMA fullfsync = ON');
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db, options.maxBatch ?? 200);
  }

  /** Group-commit counters (observability and tests). */
  stats(): WriteQueueStats {
    return this.writes.statistics;
  }

  /** The connection's effective settings, read back from SQLite (health checks and tests). */
  settings(): SqliteSettings {
    const pragma = (name: string): unknown => this.db.prepare(`PRAGMA ${name}`).get()?.[name === 'busy_timeout' ? 'timeout' : name];
    return {
      journalMode: String(pragma('journal_mode')),
      synchronous: Number(pragma('synchronous')),
      foreignKeys: Number(pragma('foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
      schemaVersion: Number(pragma('user_version')),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commit whatever is still queued (a caller awaiting record() must not be left hanging),
    // then refuse new writes.
    this.writes.close();
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }

  // --- writes -------------------------------------------------------------------------

  private async record(delivery: DeliveryRecord, events: readonly EventRecord[]): Promise<void> {
    const eventIds = new Set(delivery.eventIds);
    for (const e of events) {
      if (e.deliveryId !== delivery.id) {
        return Promise.reject(new Error(`event ${e.id} belongs to delivery ${e.deliveryId}, not ${delivery.id}`));
      }
      if (!eventIds.has(e.id)) return Promise.reject(new Error(`event ${e.id} is not listed in delivery ${delivery.id}.eventIds`));
    }
    if (eventIds.size !== events.length) {
      return Promise.reject(new Error(`delivery ${delivery.id} lists ${eventIds.size} event ids but ${events.length} events were given`));
    }
    const params = [deliveryParams(delivery), ...events.map(eventParams)];
    return this.write(() => {
      const [head, ...rest] = params;
      if (head) this.statement(SQL.insertDelivery).run(head);
      const insertEvent = this.statement(SQL.insertEvent);
      for (const p of rest) insertEvent.run(p);
    });
  }

  private async recordDecision(
    id: string,
    decision: EventDecision,
    explanation: readonly CandidateExplanation[],
    executionIds: readonly string[],
    decidedAt: Timestamp,
  ): Promise<void> {
    const params: Params = {
      id,
      decision,
      decided_at: decidedAt,
      explanation: JSON.stringify(explanation),
      execution_ids: JSON.stringify(executionIds),
    };
    return this.write(() => {
      const { changes } = this.statement(SQL.recordDecision).run(params);
      if (Number(changes) !== 1) throw new Error(`cannot record a decision: event ${id} not found`);
    });
  }

  private async createIfAbsent(execution: ExecutionRecord): Promise<CreateExecutionResult> {
    const params = executionParams(execution);
    return this.write((): CreateExecutionResult => {
      // INSERT … ON CONFLICT DO NOTHING and the lookup run in the same transaction, under
      // the write lock: no other writer can slip in between.
      const inserted = this.statement(SQL.insertExecution).get(params);
      if (inserted) return { created: true, execution };
      const existing = this.statement(SQL.getExecutionByDedupKey).get(execution.dedupKey);
      if (!existing) throw new Error(`execution ${execution.id} conflicted on dedupKey but no holder was found`);
      return { created: false, existing: toExecution(existing) };
    });
  }

  private async putSeries(next: Series, expectedVersion: number | null): Promise<boolean> {
    const params = seriesParams(next);
    if (expectedVersion === null) {
      return this.write(() => Number(this.statement(SQL.insertSeries).run(params).changes) === 1);
    }
    return this.write(() => Number(this.statement(SQL.updateSeries).run({ ...params, expected: expectedVersion }).changes) === 1);
  }

  private async createPending(pending: PendingRecord): Promise<CreatePendingResult> {
    const params = pendingParams(pending);
    return this.write((): CreatePendingResult => {
      // Insert-or-nothing and the lookup share the transaction, under the write lock.
      if (this.statement(SQL.insertPending).get(params)) return { created: true, pending };
      const existing = this.statement(SQL.getPendingByDedupKey).get(pending.dedupKey);
      if (!existing) throw new Error(`pending run ${pending.id} conflicted on dedupKey but no holder was found`);
      return { created: false, existing: toPending(existing) };
    });
  }

  private async createProject(project: ProjectRecord): Promise<CreateProjectResult> {
    const params = projectParams(project);
    return this.write((): CreateProjectResult => {
      // Insert-or-nothing and the lookup share the transaction, under the write lock.
      if (this.statement(SQL.insertProject).get(params)) return { created: true, project };
      const existing = this.statement(SQL.getProject).get(project.name);
      if (!existing) throw new Error(`project ${project.name} conflicted on its name but no holder was found`);
      return { created: false, existing: toProject(existing) };
    });
  }

  private async claimNext(startedAt: Timestamp, owner: string, leaseUntil: Timestamp): Promise<ExecutionRecord | null> {
    return this.write(() => {
      const row = this.statement(SQL.claimNext).get({ started_at: startedAt, owner, lease_until: leaseUntil });
      return row ? toExecution(row) : null;
    });
  }

  private async renewLeases(owner: string, ids: readonly string[], leaseUntil: Timestamp): Promise<number> {
    if (ids.length === 0) return this.closed ? Promise.reject(new Error('the sqlite store is closed')) : Promise.resolve(0);
    const params: Params = { owner, ids: JSON.stringify(ids), lease_until: leaseUntil };
    return this.write(() => Number(this.statement(SQL.renewLeases).run(params).changes));
  }

  private async finish(id: string, finish: ExecutionFinish): Promise<boolean> {
    const params: Params = {
      id,
      status: finish.status,
      finished_at: finish.finishedAt,
      result: toJson(finish.result),
      error: toJson(finish.error),
    };
    return this.write(() => Number(this.statement(SQL.finish).run(params).changes) === 1);
  }

  private async append(entries: readonly LogRecord[]): Promise<void> {
    if (entries.length === 0) return this.closed ? Promise.reject(new Error('the sqlite store is closed')) : Promise.resolve();
    const params = entries.map(logParams);
    return this.write(() => {
      const insert = this.statement(SQL.insertLog);
      for (const p of params) insert.run(p);
    });
  }

  /** One write: all the steps of the call commit together (a later entry for a key wins). */
  private async upsertSteps(steps: readonly StepRecord[]): Promise<void> {
    if (steps.length === 0) return this.closed ? Promise.reject(new Error('the sqlite store is closed')) : Promise.resolve();
    const params = steps.map(stepParams);
    return this.write(() => {
      const upsert = this.statement(SQL.upsertStep);
      for (const p of params) upsert.run(p);
    });
  }

  private async appendAttachments(attachments: readonly AttachmentRecord[]): Promise<void> {
    if (attachments.length === 0) return this.closed ? Promise.reject(new Error('the sqlite store is closed')) : Promise.resolve();
    const params = attachments.map(attachmentParams);
    return this.write(() => {
      const insert = this.statement(SQL.insertAttachment);
      for (const p of params) insert.run(p);
    });
  }

  private write<T>(fn: () => T): Promise<T> {
    return this.writes.enqueue(fn);
  }

  // --- reads --------------------------------------------------------------------------

  private statement(sql: string): StatementSync {
    if (this.closed) throw new Error('the sqlite store is closed');
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private rows(sql: string, bind: Bind): Row[] {
    const stmt = this.statement(sql);
    return Array.isArray(bind) ? stmt.all(...bind) : stmt.all(bind as Params);
  }

  private one<T>(sql: string, bind: readonly SQLInputValue[], map: (row: Row) => T): T | null {
    const row = this.statement(sql).get(...bind);
    return row ? map(row) : null;
  }

  private all<T>(sql: string, bind: Bind, map: (row: Row) => T): T[] {
    return this.rows(sql, bind).map(map);
  }

  private page<T extends { readonly id: string }>(query: Query, q: EventQuery | ExecutionQuery | DeliveryQuery, map: (row: Row) => T): Page<T> {
    const items = this.all(query.sql, query.params, map);
    if (items.length <= q.limit) return { items, next: null };
    const kept = items.slice(0, q.limit);
    return { items: kept, next: kept[kept.length - 1]?.id ?? null };
  }
}

/** Opens a SQLite-backed Store at `options.path` (see README.md for the durability model). */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(options);
}
