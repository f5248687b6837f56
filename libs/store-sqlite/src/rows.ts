import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { Series, SeriesTransition } from '@wolfe/series';
import type {
  AttachmentInfo,
  AttachmentRecord,
  CandidateExplanation,
  DeliveryRecord,
  Environment,
  EventDecision,
  EventRecord,
  ExecutionError,
  ExecutionRecord,
  ExecutionStatus,
  LogLevel,
  LogRecord,
  PendingRecord,
  ProjectRecord,
  ProjectRemoteRecord,
  ProjectSettingsRecord,
  StepRecord,
  StepStatus,
} from '@wolfe/application';

/**
 * Row <-> record mapping. Rows are read back defensively (a column of the wrong type
 * throws, naming the column) because the file may have been touched by other tools.
 */
export type Row = Record<string, SQLOutputValue>;
export type Params = Record<string, SQLInputValue>;

/*
 * The allowed values of each enum column. Local on purpose: this adapter takes only TYPES
 * from @wolfe/application (so it bundles alone, e.g. for the crash test's child process),
 * and `Exactly` makes the typecheck fail the day a union gains or loses a member.
 */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ENVIRONMENTS = ['dev', 'test', 'prod'] as const;
const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const DECISIONS = ['matched', 'unmatched', 'deduplicated', 'pending', 'suppressed'] as const;
const ALERT_STATUSES = ['firing', 'resolved'] as const;
const OUTCOMES = ['accepted', 'rejected'] as const;
const STEP_STATUSES = ['running', 'succeeded', 'failed'] as const;
const _complete: [
  Exactly<(typeof ENVIRONMENTS)[number], Environment>,
  Exactly<(typeof EXECUTION_STATUSES)[number], ExecutionStatus>,
  Exactly<(typeof LOG_LEVELS)[number], LogLevel>,
  Exactly<(typeof DECISIONS)[number], EventDecision>,
  Exactly<(typeof ALERT_STATUSES)[number], EventRecord['status']>,
  Exactly<(typeof OUTCOMES)[number], DeliveryRecord['outcome']>,
  Exactly<(typeof STEP_STATUSES)[number], StepStatus>,
] = [true, true, true, true, true, true, true];
type Labels = EventRecord['labels'];

function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new TypeError(`sqlite column ${column}: expected text, got ${v === null ? 'NULL' : typeof v}`);
  return v;
}

function textOrNull(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

function intOrNull(row: Row, column: string): number | null {
  const v = row[column];
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`sqlite column ${column}: expected an integer`);
  return v;
}

function int(row: Row, column: string): number {
  const v = intOrNull(row, column);
  if (v === null) throw new TypeError(`sqlite column ${column}: expected an integer, got NULL`);
  return v;
}

function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const v = text(row, column);
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new TypeError(`sqlite column ${column}: unexpected value ${JSON.stringify(v)}`);
  return found;
}

/**
 * JSON columns hold exactly what this adapter wrote from typed records, so the parsed
 * value is trusted to have the record's shape (the one cast of this module).
 */
function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}

function jsonOrNull<T>(row: Row, column: string): T | null {
  return row[column] === null ? null : json<T>(row, column);
}

/** `null`/`undefined` are stored as SQL NULL (and read back as null); anything else as JSON text. */
export function toJson(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = JSON.stringify(value);
  return s === undefined ? null : s;
}

export function deliveryParams(d: DeliveryRecord): Params {
  return {
    id: d.id,
    source: d.source,
    env: d.env,
    received_at: d.receivedAt,
    content_type: d.contentType,
    body: d.body,
    outcome: d.outcome,
    error: d.error,
    event_ids: JSON.stringify(d.eventIds),
  };
}

export function toDelivery(row: Row): DeliveryRecord {
  return {
    id: text(row, 'id'),
    source: text(row, 'source'),
    env: oneOf(row, 'env', ENVIRONMENTS),
    receivedAt: text(row, 'received_at'),
    contentType: textOrNull(row, 'content_type'),
    body: text(row, 'body'),
    outcome: oneOf(row, 'outcome', OUTCOMES),
    error: textOrNull(row, 'error'),
    eventIds: json<string[]>(row, 'event_ids'),
  };
}

export function eventParams(e: EventRecord): Params {
  return {
    id: e.id,
    delivery_id: e.deliveryId,
    source: e.source,
    env: e.env,
    fingerprint: e.fingerprint,
    source_fingerprint: e.sourceFingerprint,
    labels: JSON.stringify(e.labels),
    annotations: JSON.stringify(e.annotations),
    status: e.status,
    starts_at: e.startsAt,
    ends_at: e.endsAt,
    source_url: e.sourceUrl,
    received_at: e.receivedAt,
    decision: e.decision,
    decided_at: e.decidedAt,
    explanation: JSON.stringify(e.explanation),
    execution_ids: JSON.stringify(e.executionIds),
  };
}

export function toEvent(row: Row): EventRecord {
  return {
    id: text(row, 'id'),
    deliveryId: text(row, 'delivery_id'),
    source: text(row, 'source'),
    env: oneOf(row, 'env', ENVIRONMENTS),
    fingerprint: text(row, 'fingerprint'),
    sourceFingerprint: textOrNull(row, 'source_fingerprint'),
    labels: json<Labels>(row, 'labels'),
    annotations: json<Labels>(row, 'annotations'),
    status: oneOf(row, 'status', ALERT_STATUSES),
    startsAt: textOrNull(row, 'starts_at'),
    endsAt: textOrNull(row, 'ends_at'),
    sourceUrl: textOrNull(row, 'source_url'),
    receivedAt: text(row, 'received_at'),
    decision: row['decision'] === null ? null : oneOf(row, 'decision', DECISIONS),
    decidedAt: textOrNull(row, 'decided_at'),
    explanation: json<CandidateExplanation[]>(row, 'explanation'),
    executionIds: json<string[]>(row, 'execution_ids'),
  };
}

export function executionParams(e: ExecutionRecord): Params {
  return {
    id: e.id,
    project: e.project,
    runbook: e.runbook,
    env: e.env,
    version: e.version,
    status: e.status,
    event_id: e.eventId,
    trigger_index: e.trigger,
    dedup_key: e.dedupKey,
    created_at: e.createdAt,
    started_at: e.startedAt,
    finished_at: e.finishedAt,
    result: toJson(e.result),
    error: toJson(e.error),
    owner: e.owner ?? null,
    lease_until: e.leaseUntil ?? null,
  };
}

export function toExecution(row: Row): ExecutionRecord {
  return {
    id: text(row, 'id'),
    project: text(row, 'project'),
    runbook: text(row, 'runbook'),
    env: oneOf(row, 'env', ENVIRONMENTS),
    version: text(row, 'version'),
    status: oneOf(row, 'status', EXECUTION_STATUSES),
    eventId: textOrNull(row, 'event_id'),
    trigger: intOrNull(row, 'trigger_index'),
    dedupKey: textOrNull(row, 'dedup_key'),
    createdAt: text(row, 'created_at'),
    startedAt: textOrNull(row, 'started_at'),
    finishedAt: textOrNull(row, 'finished_at'),
    result: jsonOrNull<unknown>(row, 'result'),
    error: jsonOrNull<ExecutionError>(row, 'error'),
    owner: textOrNull(row, 'owner'),
    leaseUntil: textOrNull(row, 'lease_until'),
  };
}

export function logParams(l: LogRecord): Params {
  return {
    execution_id: l.executionId,
    seq: l.seq,
    ts: l.ts,
    level: l.level,
    message: l.message,
    fields: toJson(l.fields),
  };
}

export function toLog(row: Row): LogRecord {
  return {
    executionId: text(row, 'execution_id'),
    seq: int(row, 'seq'),
    ts: text(row, 'ts'),
    level: oneOf(row, 'level', LOG_LEVELS),
    message: text(row, 'message'),
    fields: jsonOrNull<Record<string, unknown>>(row, 'fields'),
  };
}

export function stepParams(s: StepRecord): Params {
  return {
    execution_id: s.executionId,
    seq: s.seq,
    name: s.name,
    status: s.status,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    output: s.output,
    error: s.error,
  };
}

export function toStep(row: Row): StepRecord {
  return {
    executionId: text(row, 'execution_id'),
    seq: int(row, 'seq'),
    name: text(row, 'name'),
    status: oneOf(row, 'status', STEP_STATUSES),
    startedAt: text(row, 'started_at'),
    finishedAt: textOrNull(row, 'finished_at'),
    output: textOrNull(row, 'output'),
    error: textOrNull(row, 'error'),
  };
}

export function attachmentParams(a: AttachmentRecord): Params {
  return {
    execution_id: a.executionId,
    seq: a.seq,
    name: a.name,
    content_type: a.contentType,
    size: a.size,
    data: a.data,
  };
}

export function toAttachmentInfo(row: Row): AttachmentInfo {
  return {
    executionId: text(row, 'execution_id'),
    seq: int(row, 'seq'),
    name: text(row, 'name'),
    contentType: text(row, 'content_type'),
    size: int(row, 'size'),
  };
}

export function toAttachment(row: Row): AttachmentRecord {
  return { ...toAttachmentInfo(row), data: text(row, 'data') };
}

export function seriesParams(s: Series): Params {
  return {
    env: s.env,
    fingerprint: s.fingerprint,
    labels: JSON.stringify(s.labels),
    state: s.state,
    episode: s.episode,
    episode_starts_at: s.episodeStartsAt,
    episode_seen_at: s.episodeSeenAt,
    last_event_id: s.lastEventId,
    last_seen_at: s.lastSeenAt,
    transitions: JSON.stringify(s.transitions),
    flapping: s.flapping ? 1 : 0,
    flapping_since: s.flappingSince,
    version: s.version,
  };
}

export function toSeries(row: Row): Series {
  return {
    env: text(row, 'env'),
    fingerprint: text(row, 'fingerprint'),
    labels: json<Labels>(row, 'labels'),
    state: oneOf(row, 'state', ALERT_STATUSES),
    episode: text(row, 'episode'),
    episodeStartsAt: textOrNull(row, 'episode_starts_at'),
    episodeSeenAt: text(row, 'episode_seen_at'),
    lastEventId: text(row, 'last_event_id'),
    lastSeenAt: text(row, 'last_seen_at'),
    transitions: json<SeriesTransition[]>(row, 'transitions'),
    flapping: int(row, 'flapping') === 1,
    flappingSince: textOrNull(row, 'flapping_since'),
    version: int(row, 'version'),
  };
}

export function pendingParams(p: PendingRecord): Params {
  return {
    id: p.id,
    env: p.env,
    project: p.project,
    runbook: p.runbook,
    version: p.version,
    trigger_index: p.trigger,
    event_id: p.eventId,
    fingerprint: p.fingerprint,
    episode: p.episode,
    dedup_key: p.dedupKey,
    for_ms: p.forMs,
    created_at: p.createdAt,
    due_at: p.dueAt,
  };
}

export function toPending(row: Row): PendingRecord {
  return {
    id: text(row, 'id'),
    env: oneOf(row, 'env', ENVIRONMENTS),
    project: text(row, 'project'),
    runbook: text(row, 'runbook'),
    version: text(row, 'version'),
    trigger: int(row, 'trigger_index'),
    eventId: text(row, 'event_id'),
    fingerprint: text(row, 'fingerprint'),
    episode: text(row, 'episode'),
    dedupKey: text(row, 'dedup_key'),
    forMs: int(row, 'for_ms'),
    createdAt: text(row, 'created_at'),
    dueAt: text(row, 'due_at'),
  };
}

export function projectParams(p: ProjectRecord): Params {
  return {
    name: p.name,
    remote: p.remote === null ? null : JSON.stringify(p.remote),
    settings: JSON.stringify(p.settings),
    created_at: p.createdAt,
    created_by: p.createdBy,
  };
}

export function toProject(row: Row): ProjectRecord {
  return {
    name: text(row, 'name'),
    remote: jsonOrNull<ProjectRemoteRecord>(row, 'remote'),
    settings: json<ProjectSettingsRecord>(row, 'settings'),
    createdAt: text(row, 'created_at'),
    createdBy: text(row, 'created_by'),
  };
}
