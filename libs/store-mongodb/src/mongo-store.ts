import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type AnyBulkWriteOperation,
  type Filter,
  type IndexDescription,
} from 'mongodb';
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
import { mongoSecrets, mongoState, prepareCapabilityCollections } from './capabilities';
import {
  databaseFromUrl,
  fromAttachmentDoc,
  fromAttachmentInfoDoc,
  fromDeliveryDoc,
  fromEventDoc,
  fromExecutionDoc,
  fromLogDoc,
  fromPendingDoc,
  fromProjectDoc,
  fromSeriesDoc,
  fromStepDoc,
  idLowerBound,
  seriesId,
  toAttachmentDoc,
  toDate,
  toDeliveryDoc,
  toEventDoc,
  toExecutionDoc,
  toExplanation,
  toJson,
  toLogDoc,
  toPendingDoc,
  toProjectDoc,
  toSeriesDoc,
  toStepDoc,
  type AttachmentDoc,
  type AttachmentInfoDoc,
  type DeliveryDoc,
  type EventDoc,
  type ExecutionDoc,
  type LogDoc,
  type PendingDoc,
  type ProjectDoc,
  type SeriesDoc,
  type StepDoc,
} from './documents';

export interface MongoStoreOptions {
  /** A MongoDB connection string. */
  readonly url: string;
  /** Defaults to the database named in `url`, else `wolfe`. */
  readonly database?: string;
}

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
const DEDUP_INDEX = 'dedupKey_unique';

const COLLECTIONS = ['deliveries', 'events', 'executions', 'logs', 'steps', 'attachments', 'series', 'pending', 'projects'] as const;
/** Documents from before projects have no `project` field: they belong to it. */
const DEFAULT_PROJECT = 'default';

const INDEXES: { readonly [C in (typeof COLLECTIONS)[number]]: IndexDescription[] } = {
  // The deliveries ledger (rejected payloads are browsable), filter + _id like events.
  deliveries: [
    { key: { outcome: 1, _id: 1 }, name: 'outcome_id' },
    { key: { source: 1, _id: 1 }, name: 'source_id' },
    { key: { env: 1, _id: 1 }, name: 'env_id' },
  ],
  // Every history filter ends in _id, so "filter + _id < cursor, sort _id desc" walks one
  // index range. (decision, _id) also answers listUndecided: {decision: null} is an
  // equality on null, which a regular index holds.
  events: [
    { key: { decision: 1, _id: 1 }, name: 'decision_id' },
    { key: { source: 1, _id: 1 }, name: 'source_id' },
    { key: { env: 1, _id: 1 }, name: 'env_id' },
  ],
  executions: [
    // One real problem, one remediation: only string keys are indexed, so null never dedups.
    { key: { dedupKey: 1 }, name: DEDUP_INDEX, unique: true, partialFilterExpression: { dedupKey: { $type: 'string' } } },
    // Also serves claimNext (oldest queued) and listByStatus.
    { key: { status: 1, _id: 1 }, name: 'status_id' },
    // The expiry sweep (listExpired): the running executions in lease order (null/absent first).
    { key: { status: 1, leaseUntil: 1 }, name: 'status_leaseUntil' },
    { key: { runbook: 1, _id: 1 }, name: 'runbook_id' },
    { key: { env: 1, _id: 1 }, name: 'env_id' },
    // ?project= (documents without the field are `default`: {project: null} matches them).
    { key: { project: 1, _id: 1 }, name: 'project_id' },
  ],
  logs: [{ key: { executionId: 1, seq: 1 }, name: 'executionId_seq_unique', unique: true }],
  // The key steps are upserted on (one document per step), and the list order.
  steps: [{ key: { executionId: 1, seq: 1 }, name: 'executionId_seq_unique', unique: true }],
  attachments: [{ key: { executionId: 1, seq: 1 }, name: 'executionId_seq_unique', unique: true }],
  // _id is env:fingerprint; only the few flapping series are indexed for the timer.
  series: [{ key: { flapping: 1 }, name: 'flapping', partialFilterExpression: { flapping: true } }],
  pending: [
    { key: { dedupKey: 1 }, name: DEDUP_INDEX, unique: true },
    { key: { dueAt: 1, _id: 1 }, name: 'dueAt_id' },
    { key: { env: 1, fingerprint: 1, _id: 1 }, name: 'env_fingerprint_id' },
  ],
  // _id is the project's name: unique by construction.
  projects: [],
};

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

const isDuplicateKey = (err: unknown): err is MongoServerError => err instanceof MongoServerError && err.code === DUPLICATE_KEY;

/** Was this duplicate-key error raised by the dedupKey index (and not, say, by `_id`)? */
function isDedupConflict(err: MongoServerError): boolean {
  const pattern: unknown = err['keyPattern'];
  if (typeof pattern === 'object' && pattern !== null) return 'dedupKey' in pattern;
  return err.message.includes(DEDUP_INDEX); // servers before 4.4 only name the index
}

/** The documents an ordered insertMany wrote before it stopped, when that is known. */
function insertedBeforeFailure<T>(err: unknown, docs: readonly T[]): T[] | null {
  if (!(err instanceof MongoBulkWriteError) || err.err !== undefined) return null; // write concern error: unknown
  const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  const indexes = writeErrors.map((w: { index: number }) => w.index);
  return indexes.length === 0 ? null : docs.slice(0, Math.min(...indexes));
}

class MongoStore implements Store {
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

  private readonly c: {
    readonly deliveries: Collection<DeliveryDoc>;
    readonly events: Collection<EventDoc>;
    readonly executions: Collection<ExecutionDoc>;
    readonly logs: Collection<LogDoc>;
    readonly steps: Collection<StepDoc>;
    readonly attachments: Collection<AttachmentDoc>;
    readonly series: Collection<SeriesDoc>;
    readonly pending: Collection<PendingDoc>;
    readonly projects: Collection<ProjectDoc>;
  };
  private closing: Promise<void> | null = null;

  constructor(
    private readonly client: MongoClient,
    db: Db,
    /** Replica set or sharded cluster: multi-document transactions are available. */
    private readonly transactions: boolean,
  ) {
    this.c = {
      deliveries: db.collection<DeliveryDoc>('deliveries'),
      events: db.collection<EventDoc>('events'),
      executions: db.collection<ExecutionDoc>('executions'),
      logs: db.collection<LogDoc>('logs'),
      steps: db.collection<StepDoc>('steps'),
      attachments: db.collection<AttachmentDoc>('attachments'),
      series: db.collection<SeriesDoc>('series'),
      pending: db.collection<PendingDoc>('pending'),
      projects: db.collection<ProjectDoc>('projects'),
    };
    const g = this.guard.bind(this);
    this.deliveries = {
      record: (delivery, events) => g(() => this.record(delivery, events)),
      get: (id) =>
        g(async () => {
          const doc = await this.c.deliveries.findOne({ _id: id });
          return doc ? fromDeliveryDoc(doc) : null;
        }),
      list: (query) => g(() => this.listDeliveries(query)),
    };
    this.events = {
      get: (id) =>
        g(async () => {
          const doc = await this.c.events.findOne({ _id: id });
          return doc ? fromEventDoc(doc) : null;
        }),
      list: (query) => g(() => this.listEvents(query)),
      listUndecided: (limit) =>
        g(async () => {
          assertLimit(limit);
          const docs = await this.c.events.find({ decision: null }).sort({ _id: 1 }).limit(limit).toArray();
          return docs.map(fromEventDoc);
        }),
      recordDecision: (id, decision, explanation, executionIds, decidedAt) =>
        g(() => this.recordDecision(id, decision, explanation, executionIds, decidedAt)),
    };
    this.executions = {
      createIfAbsent: (execution) => g(() => this.createIfAbsent(execution)),
      get: (id) =>
        g(async () => {
          const doc = await this.c.executions.findOne({ _id: id });
          return doc ? fromExecutionDoc(doc) : null;
        }),
      list: (query) => g(() => this.listExecutions(query)),
      claimNext: (startedAt, owner, leaseUntil) => g(() => this.claimNext(startedAt, owner, leaseUntil)),
      renewLeases: (owner, ids, leaseUntil) =>
        g(async () => {
          if (ids.length === 0) return 0;
          // One bulk update; only the owner's still-running ones (a swept one stays failed).
          const res = await this.c.executions.updateMany(
            { _id: { $in: [...ids] }, owner: { $eq: owner }, status: 'running' },
            { $set: { leaseUntil: toDate(leaseUntil) } },
          );
          return res.matchedCount;
        }),
      listExpired: (now, limit) =>
        g(async () => {
          assertLimit(limit);
          const docs = await this.c.executions
            .find({ status: 'running', $or: [{ leaseUntil: null }, { leaseUntil: { $lt: toDate(now) } }] })
            .sort({ leaseUntil: 1 })
            .limit(limit)
            .toArray();
          return docs.map(fromExecutionDoc);
        }),
      finish: (id, finish) => g(() => this.finish(id, finish)),
      listByStatus: (status: ExecutionStatus, limit: number) =>
        g(async () => {
          assertLimit(limit);
          const docs = await this.c.executions.find({ status }).sort({ _id: 1 }).limit(limit).toArray();
          return docs.map(fromExecutionDoc);
        }),
    };
    this.logs = {
      append: (entries) => g(() => this.append(entries)),
      list: (executionId, afterSeq, limit) =>
        g(async () => {
          if (limit !== undefined) assertLimit(limit);
          const docs = await this.c.logs
            .find({ executionId, seq: { $gt: afterSeq ?? -1 } })
            .sort({ seq: 1 })
            .limit(limit ?? 0) // 0 = no limit
            .toArray();
          return docs.map(fromLogDoc);
        }),
    };
    this.steps = {
      upsert: (steps) => g(() => this.upsertSteps(steps)),
      list: (executionId) =>
        g(async () => (await this.c.steps.find({ executionId }).sort({ seq: 1 }).toArray()).map(fromStepDoc)),
    };
    this.attachments = {
      append: (attachments) => g(() => this.appendAttachments(attachments)),
      list: (executionId) =>
        g(async () => {
          const docs = await this.c.attachments
            .find({ executionId })
            .sort({ seq: 1 })
            .project<AttachmentInfoDoc>({ _id: 0, data: 0 }) // the data stays on the server
            .toArray();
          return docs.map(fromAttachmentInfoDoc);
        }),
      get: (executionId, seq) =>
        g(async () => {
          const doc = await this.c.attachments.findOne({ executionId, seq });
          return doc ? fromAttachmentDoc(doc) : null;
        }),
    };
    this.series = {
      get: (env, fingerprint) =>
        g(async () => {
          const doc = await this.c.series.findOne({ _id: seriesId(env, fingerprint) });
          return doc ? fromSeriesDoc(doc) : null;
        }),
      put: (next, expectedVersion) => g(() => this.putSeries(next, expectedVersion)),
      listFlapping: (limit) =>
        g(async () => {
          assertLimit(limit);
          return (await this.c.series.find({ flapping: true }).limit(limit).toArray()).map(fromSeriesDoc);
        }),
    };
    this.pending = {
      createIfAbsent: (pending) => g(() => this.createPending(pending)),
      get: (id) =>
        g(async () => {
          const doc = await this.c.pending.findOne({ _id: id });
          return doc ? fromPendingDoc(doc) : null;
        }),
      listDue: (now, limit) =>
        g(async () => {
          assertLimit(limit);
          const docs = await this.c.pending
            .find({ dueAt: { $lte: toDate(now) } })
            .sort({ dueAt: 1, _id: 1 })
            .limit(limit)
            .toArray();
          return docs.map(fromPendingDoc);
        }),
      listBySeries: (env, fingerprint) =>
        g(async () => (await this.c.pending.find({ env, fingerprint }).sort({ _id: 1 }).toArray()).map(fromPendingDoc)),
      delete: (id) => g(async () => (await this.c.pending.deleteOne({ _id: id })).deletedCount === 1),
    };
    this.projects = {
      create: (project) => g(() => this.createProject(project)),
      get: (name) =>
        g(async () => {
          const doc = await this.c.projects.findOne({ _id: name });
          return doc ? fromProjectDoc(doc) : null;
        }),
      list: () => g(async () => (await this.c.projects.find({}).sort({ _id: 1 }).toArray()).map(fromProjectDoc)),
      delete: (name) => g(async () => (await this.c.projects.deleteOne({ _id: name })).deletedCount === 1),
    };
    this.secrets = mongoSecrets(db, g);
    this.state = mongoState(db, g);
  }

  /**
   * Every port call goes through here: after close() it rejects instead of letting the
   * driver silently reconnect, and a synchronous throw becomes a rejection.
   */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    if (this.closing) throw new Error('the mongodb store is closed');
    return op();
  }

  /** Creates the collections (transactions on MongoDB < 4.4 cannot) and the indexes. */
  static async prepare(db: Db): Promise<void> {
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const name of COLLECTIONS) {
      if (existing.has(name)) continue;
      try {
        await db.createCollection(name);
      } catch (err) {
        // Another process created it first.
        if (!(err instanceof MongoServerError && err.code === NAMESPACE_EXISTS)) throw err;
      }
    }
    for (const [name, indexes] of Object.entries(INDEXES)) await db.collection(name).createIndexes(indexes);
  }

  close(): Promise<void> {
    this.closing ??= this.client.close();
    return this.closing;
  }

  // --- deliveries ---------------------------------------------------------------------

  private async record(delivery: DeliveryRecord, events: readonly EventRecord[]): Promise<void> {
    const eventIds = new Set(delivery.eventIds);
    for (const e of events) {
      if (e.deliveryId !== delivery.id) throw new Error(`event ${e.id} belongs to delivery ${e.deliveryId}, not ${delivery.id}`);
      if (!eventIds.has(e.id)) throw new Error(`event ${e.id} is not listed in delivery ${delivery.id}.eventIds`);
    }
    if (eventIds.size !== events.length) {
      throw new Error(`delivery ${delivery.id} lists ${eventIds.size} event ids but ${events.length} events were given`);
    }
    const deliveryDoc = toDeliveryDoc(delivery);
    const eventDocs = events.map(toEventDoc);

    if (this.transactions) {
      const session = this.client.startSession();
      try {
        // withTransaction retries on TransientTransactionError / UnknownTransactionCommitResult;
        // errors inside are awaited and rethrown, never swallowed (the driver requires it).
        await session.withTransaction(async () => {
          await this.c.deliveries.insertOne(deliveryDoc, { session });
          if (eventDocs.length > 0) await this.c.events.insertMany(eventDocs, { session, ordered: true });
        });
      } finally {
        await session.endSession();
      }
      return;
    }

    // Standalone server: no multi-document transaction. Events first, then the delivery:
    // an event is found through listUndecided (routing) and the events list on its own, so
    // a crash in between loses nothing that was acknowledged (record() never resolved, the
    // sender retries; dedupKey absorbs the duplicate). On an error we know about, the events
    // this call wrote are removed again, so a rejected record() leaves nothing behind.
    let written: EventDoc[] = [];
    try {
      if (eventDocs.length > 0) {
        try {
          await this.c.events.insertMany(eventDocs, { ordered: true });
          written = eventDocs;
        } catch (err) {
          written = insertedBeforeFailure(err, eventDocs) ?? [];
          throw err;
        }
      }
      await this.c.deliveries.insertOne(deliveryDoc);
    } catch (err) {
      if (written.length > 0) {
        await this.c.events.deleteMany({ _id: { $in: written.map((e) => e._id) }, deliveryId: delivery.id }).catch(() => undefined);
      }
      throw err;
    }
  }

  private async listDeliveries(q: DeliveryQuery): Promise<Page<DeliveryRecord>> {
    assertLimit(q.limit);
    const filter: Filter<DeliveryDoc> = {};
    if (q.outcome !== undefined) filter.outcome = q.outcome;
    if (q.source !== undefined) filter.source = q.source;
    if (q.env !== undefined) filter.env = q.env;
    if (q.cursor !== undefined && q.cursor !== null) filter._id = { $lt: q.cursor };
    const docs = await this.c.deliveries
      .find(filter)
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .toArray();
    return page(docs.map(fromDeliveryDoc), q.limit);
  }

  // --- events -------------------------------------------------------------------------

  private async listEvents(q: EventQuery): Promise<Page<EventRecord>> {
    assertLimit(q.limit);
    const filter: Filter<EventDoc> = {};
    if (q.env !== undefined) filter.env = q.env;
    if (q.source !== undefined) filter.source = q.source;
    if (q.decision === 'none') filter.decision = null;
    else if (q.decision !== undefined) filter.decision = q.decision;
    const idRange: { $gte?: string; $lt?: string } = {};
    if (q.since !== undefined) idRange.$gte = idLowerBound(q.since);
    if (q.cursor !== undefined && q.cursor !== null) idRange.$lt = q.cursor;
    if (idRange.$gte !== undefined || idRange.$lt !== undefined) filter._id = idRange;
    const docs = await this.c.events
      .find(filter)
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .toArray();
    return page(docs.map(fromEventDoc), q.limit);
  }

  private async recordDecision(
    id: string,
    decision: EventDecision,
    explanation: readonly CandidateExplanation[],
    executionIds: readonly string[],
    decidedAt: Timestamp,
  ): Promise<void> {
    const result = await this.c.events.updateOne(
      { _id: id },
      { $set: { decision, decidedAt: toDate(decidedAt), explanation: toExplanation(explanation), executionIds: [...executionIds] } },
    );
    if (result.matchedCount !== 1) throw new Error(`cannot record a decision: event ${id} not found`);
  }

  // --- series and pending runs ---------------------------------------------------------

  private async putSeries(next: Series, expectedVersion: number | null): Promise<boolean> {
    const doc = toSeriesDoc(next);
    if (expectedVersion === null) {
      try {
        await this.c.series.insertOne(doc);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false; // another writer created it first
        throw err;
      }
    }
    // Compare-and-set: matches only while the stored version is the one the caller read.
    const { _id, ...fields } = doc;
    const result = await this.c.series.updateOne({ _id, version: expectedVersion }, { $set: fields });
    return result.matchedCount === 1;
  }

  private async createPending(pending: PendingRecord): Promise<CreatePendingResult> {
    const doc = toPendingDoc(pending);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.c.pending.insertOne(doc);
        return { created: true, pending };
      } catch (err) {
        if (!isDuplicateKey(err) || !isDedupConflict(err)) throw err;
        const existing = await this.c.pending.findOne({ dedupKey: pending.dedupKey });
        if (existing) return { created: false, existing: fromPendingDoc(existing) };
        if (attempt >= 3) throw err; // the holder was deleted in between: try again
      }
    }
  }

  // --- projects -----------------------------------------------------------------------

  private async createProject(project: ProjectRecord): Promise<CreateProjectResult> {
    // `_id` is the name: the server refuses a second one atomically.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.c.projects.insertOne(toProjectDoc(project));
        return { created: true, project };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await this.c.projects.findOne({ _id: project.name });
        if (existing) return { created: false, existing: fromProjectDoc(existing) };
        if (attempt >= 3) throw err; // deleted in between: try again
      }
    }
  }

  // --- executions ---------------------------------------------------------------------

  private async createIfAbsent(execution: ExecutionRecord): Promise<CreateExecutionResult> {
    const doc = toExecutionDoc(execution);
    // The unique partial index decides, atomically, on the server. A loser reads the holder;
    // if the holder vanished in between (retention), the insert is simply tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.c.executions.insertOne(doc);
        return { created: true, execution };
      } catch (err) {
        if (!isDuplicateKey(err) || execution.dedupKey === null || !isDedupConflict(err)) throw err;
        const existing = await this.c.executions.findOne({ dedupKey: { $eq: execution.dedupKey, $type: 'string' } });
        if (existing) return { created: false, existing: fromExecutionDoc(existing) };
        if (attempt >= 3) throw err;
      }
    }
  }

  private async claimNext(startedAt: Timestamp, owner: string, leaseUntil: Timestamp): Promise<ExecutionRecord | null> {
    // findAndModify is atomic per document: two claimers never get the same one. In driver
    // v6+ it returns the document itself (includeResultMetadata defaults to false).
    const doc = await this.c.executions.findOneAndUpdate(
      { status: 'queued' },
      { $set: { status: 'running', startedAt: toDate(startedAt), owner, leaseUntil: toDate(leaseUntil) } },
      { sort: { _id: 1 }, returnDocument: 'after' },
    );
    return doc ? fromExecutionDoc(doc) : null;
  }

  private async finish(id: string, finish: ExecutionFinish): Promise<boolean> {
    const result = await this.c.executions.updateOne(
      { _id: id, status: { $in: ['queued', 'running'] } },
      {
        $set: {
          status: finish.status,
          finishedAt: toDate(finish.finishedAt),
          result: toJson(finish.result),
          error: finish.error === null ? null : { ...finish.error },
        },
      },
    );
    return result.matchedCount === 1;
  }

  private async listExecutions(q: ExecutionQuery): Promise<Page<ExecutionRecord>> {
    assertLimit(q.limit);
    const filter: Filter<ExecutionDoc> = {};
    if (q.project !== undefined) filter.project = q.project === DEFAULT_PROJECT ? { $in: [DEFAULT_PROJECT, null] } : q.project;
    if (q.runbook !== undefined) filter.runbook = q.runbook;
    if (q.status !== undefined) filter.status = q.status;
    if (q.env !== undefined) filter.env = q.env;
    if (q.cursor !== undefined && q.cursor !== null) filter._id = { $lt: q.cursor };
    const docs = await this.c.executions
      .find(filter)
      .sort({ _id: -1 })
      .limit(q.limit + 1)
      .toArray();
    return page(docs.map(fromExecutionDoc), q.limit);
  }

  // --- logs ---------------------------------------------------------------------------

  private async upsertSteps(steps: readonly StepRecord[]): Promise<void> {
    if (steps.length === 0) return;
    // Ordered: a later entry for the same key is applied after (and wins over) an earlier
    // one. Each replaceOne is atomic on its own document; a retry of the call is idempotent.
    // An upsert racing another on the same new key is retried by the server (equality
    // filter on the unique index), so a step never becomes two documents.
    await this.c.steps.bulkWrite(stepUpserts(steps), { ordered: true });
  }

  private async appendAttachments(attachments: readonly AttachmentRecord[]): Promise<void> {
    if (attachments.length === 0) return;
    // Like logs: a duplicate (executionId, seq) rejects the call; the ones before it are kept.
    await this.c.attachments.insertMany(attachments.map(toAttachmentDoc), { ordered: true });
  }

  private async append(entries: readonly LogRecord[]): Promise<void> {
    if (entries.length === 0) return;
    // Ordered: on a duplicate (executionId, seq) the lines before it are kept and the call
    // rejects (not all-or-nothing, unlike sqlite; the contract only requires the rejection).
    await this.c.logs.insertMany(entries.map(toLogDoc), { ordered: true });
  }
}

// --- steps and attachments ------------------------------------------------------------

/** The bulk operations of one steps.upsert call: replace-or-insert by (executionId, seq), in order. */
function stepUpserts(steps: readonly StepRecord[]): AnyBulkWriteOperation<StepDoc>[] {
  return steps.map((s) => ({
    replaceOne: { filter: { executionId: s.executionId, seq: s.seq }, replacement: toStepDoc(s), upsert: true },
  }));
}

function page<T extends { readonly id: string }>(items: T[], limit: number): Page<T> {
  if (items.length <= limit) return { items, next: null };
  const kept = items.slice(0, limit);
  return { items: kept, next: kept[kept.length - 1]?.id ?? null };
}

/**
 * Connects, creates collections and indexes, and returns the Store. Writes use majority
 * write concern with journaling: an acknowledged write is on disk on a majority of nodes.
 */
export async function openMongoStore(options: MongoStoreOptions): Promise<Store> {
  const client = new MongoClient(options.url, {
    writeConcern: { w: 'majority', journal: true },
    // Optional properties that are undefined are omitted, as JSON.stringify does.
    ignoreUndefined: true,
  });
  await client.connect();
  try {
    const db = client.db(options.database ?? databaseFromUrl(options.url) ?? 'wolfe');
    const hello = await db.admin().command({ hello: 1 });
    const transactions = typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
    await MongoStore.prepare(db);
    await prepareCapabilityCollections(db);
    return new MongoStore(client, db, transactions);
  } catch (err) {
    await client.close();
    throw err;
  }
}
