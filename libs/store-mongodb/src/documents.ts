import type { Series } from '@wolfe/series';
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
  Timestamp,
} from '@wolfe/application';

/*
 * The stored shapes, and the conversions at the edge of the adapter. Nothing of these
 * leaves the adapter: callers get records (ISO strings, plain objects), never a Date.
 *
 * - `_id` is our own id string (UUIDv7: time-ordered, so `sort({_id:-1})` is newest first).
 * - Timestamps are BSON Dates, so TTL indexes and date queries work; they are converted
 *   back with toISOString() (millisecond precision, the Timestamp format).
 * - Labels/annotations are [{k, v}] pairs, not sub-documents: label names are arbitrary
 *   UTF-8 (Prometheus 3 allows dots; webhooks send anything) and BSON field names may not
 *   contain NUL and are restricted with '$' and '.'. Pairs also keep the order exactly.
 * - Runbook results and log fields are arbitrary runbook JSON, stored as JSON text for the
 *   same reason (any key is legal in JSON) and so they round-trip exactly.
 */

export interface LabelPair {
  k: string;
  v: string;
}

export interface DeliveryDoc {
  _id: string;
  source: string;
  env: Environment;
  receivedAt: Date;
  contentType: string | null;
  body: string;
  outcome: DeliveryRecord['outcome'];
  error: string | null;
  eventIds: string[];
}

export interface EventDoc {
  _id: string;
  deliveryId: string;
  source: string;
  env: Environment;
  fingerprint: string;
  sourceFingerprint: string | null;
  labels: LabelPair[];
  annotations: LabelPair[];
  status: EventRecord['status'];
  startsAt: Date | null;
  endsAt: Date | null;
  sourceUrl: string | null;
  receivedAt: Date;
  decision: EventDecision | null;
  decidedAt: Date | null;
  explanation: CandidateExplanation[];
  executionIds: string[];
}

/** Documents written before projects existed have no `project`: they belong to `default`. */
const DEFAULT_PROJECT = 'default';

export interface ExecutionDoc {
  _id: string;
  /** Absent on documents from before projects (= `default`). */
  project?: string | null;
  runbook: string;
  env: Environment;
  version: string;
  status: ExecutionStatus;
  eventId: string | null;
  trigger: number | null;
  /** Unique where it is a string (partial index): null never deduplicates. */
  dedupKey: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** JSON text; null when the result is null. */
  result: string | null;
  error: ExecutionError | null;
  /** The Wolfe instance that claimed it; absent on documents from before leases (= null). */
  owner?: string | null;
  /** Until when its owner holds it; absent on documents from before leases (a running one counts as expired). */
  leaseUntil?: Date | null;
}

/** `_id` is `<env>:<fingerprint>` (fingerprints are hex, environments have no colon). */
export interface SeriesDoc {
  _id: string;
  env: string;
  fingerprint: string;
  labels: LabelPair[];
  state: Series['state'];
  episode: string;
  episodeStartsAt: Date | null;
  episodeSeenAt: Date;
  lastEventId: string;
  lastSeenAt: Date;
  transitions: { at: Date; to: Series['state']; episode: string; eventId: string }[];
  flapping: boolean;
  flappingSince: Date | null;
  version: number;
}

export interface PendingDoc {
  _id: string;
  env: Environment;
  /** Absent on documents from before projects (= `default`). */
  project?: string;
  runbook: string;
  version: string;
  trigger: number;
  eventId: string;
  fingerprint: string;
  episode: string;
  /** Unique: one pending run per would-be execution. */
  dedupKey: string;
  forMs: number;
  createdAt: Date;
  dueAt: Date;
}

/** Log lines keep the driver's ObjectId `_id`; (executionId, seq) is the unique key. */
export interface LogDoc {
  executionId: string;
  seq: number;
  ts: Date;
  level: LogLevel;
  message: string;
  /** JSON text or null. */
  fields: string | null;
}

/** Steps keep the driver's ObjectId `_id`; (executionId, seq) is the unique key they are upserted on. */
export interface StepDoc {
  executionId: string;
  seq: number;
  name: string;
  status: StepStatus;
  startedAt: Date;
  finishedAt: Date | null;
  /** Short JSON preview (text) or null. */
  output: string | null;
  error: string | null;
}

/**
 * One document per attachment (never one growing document per execution), ObjectId `_id`,
 * unique (executionId, seq). `data` is the JSON text as given (≤ 256 KiB, far below BSON's
 * 16 MB), so any key is legal and it round-trips exactly; lists project it away.
 */
export interface AttachmentDoc {
  executionId: string;
  seq: number;
  name: string;
  contentType: string;
  /** Bytes of data in UTF-8. */
  size: number;
  data: string;
}

export type AttachmentInfoDoc = Omit<AttachmentDoc, 'data'>;

export function toDate(ts: Timestamp): Date {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an ISO-8601 timestamp: ${JSON.stringify(ts)}`);
  return d;
}

export const toDateOrNull = (ts: Timestamp | null): Date | null => (ts === null ? null : toDate(ts));
export const fromDate = (d: Date): Timestamp => d.toISOString();
export const fromDateOrNull = (d: Date | null): Timestamp | null => (d === null ? null : d.toISOString());

export function toJson(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = JSON.stringify(value);
  return s === undefined ? null : s;
}

/** JSON text this adapter wrote from a typed record: trusted to have the record's shape. */
export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export const toPairs = (labels: Readonly<Record<string, string>>): LabelPair[] =>
  Object.entries(labels).map(([k, v]) => ({ k, v }));

export function fromPairs(pairs: readonly LabelPair[]): Record<string, string> {
  const out: Record<string, string> = {};
  // defineProperty, not assignment: a label named "__proto__" must stay a plain key.
  for (const { k, v } of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export function toDeliveryDoc(d: DeliveryRecord): DeliveryDoc {
  return {
    _id: d.id,
    source: d.source,
    env: d.env,
    receivedAt: toDate(d.receivedAt),
    contentType: d.contentType,
    body: d.body,
    outcome: d.outcome,
    error: d.error,
    eventIds: [...d.eventIds],
  };
}

export function fromDeliveryDoc(d: DeliveryDoc): DeliveryRecord {
  return {
    id: d._id,
    source: d.source,
    env: d.env,
    receivedAt: fromDate(d.receivedAt),
    contentType: d.contentType,
    body: d.body,
    outcome: d.outcome,
    error: d.error,
    eventIds: d.eventIds,
  };
}

export const toExplanation = (e: readonly CandidateExplanation[]): CandidateExplanation[] => e.map((c) => ({ ...c }));

export function toEventDoc(e: EventRecord): EventDoc {
  return {
    _id: e.id,
    deliveryId: e.deliveryId,
    source: e.source,
    env: e.env,
    fingerprint: e.fingerprint,
    sourceFingerprint: e.sourceFingerprint,
    labels: toPairs(e.labels),
    annotations: toPairs(e.annotations),
    status: e.status,
    startsAt: toDateOrNull(e.startsAt),
    endsAt: toDateOrNull(e.endsAt),
    sourceUrl: e.sourceUrl,
    receivedAt: toDate(e.receivedAt),
    decision: e.decision,
    decidedAt: toDateOrNull(e.decidedAt),
    explanation: toExplanation(e.explanation),
    executionIds: [...e.executionIds],
  };
}

export function fromEventDoc(e: EventDoc): EventRecord {
  return {
    id: e._id,
    deliveryId: e.deliveryId,
    source: e.source,
    env: e.env,
    fingerprint: e.fingerprint,
    sourceFingerprint: e.sourceFingerprint,
    labels: fromPairs(e.labels),
    annotations: fromPairs(e.annotations),
    status: e.status,
    startsAt: fromDateOrNull(e.startsAt),
    endsAt: fromDateOrNull(e.endsAt),
    sourceUrl: e.sourceUrl,
    receivedAt: fromDate(e.receivedAt),
    decision: e.decision,
    decidedAt: fromDateOrNull(e.decidedAt),
    explanation: e.explanation,
    executionIds: e.executionIds,
  };
}

export function toExecutionDoc(e: ExecutionRecord): ExecutionDoc {
  return {
    _id: e.id,
    project: e.project,
    runbook: e.runbook,
    env: e.env,
    version: e.version,
    status: e.status,
    eventId: e.eventId,
    trigger: e.trigger,
    dedupKey: e.dedupKey,
    createdAt: toDate(e.createdAt),
    startedAt: toDateOrNull(e.startedAt),
    finishedAt: toDateOrNull(e.finishedAt),
    result: toJson(e.result),
    error: e.error === null ? null : { ...e.error, location: e.error.location === null ? null : { ...e.error.location } },
    owner: e.owner ?? null,
    leaseUntil: toDateOrNull(e.leaseUntil ?? null),
  };
}

export function fromExecutionDoc(e: ExecutionDoc): ExecutionRecord {
  return {
    id: e._id,
    project: e.project ?? DEFAULT_PROJECT,
    runbook: e.runbook,
    env: e.env,
    version: e.version,
    status: e.status,
    eventId: e.eventId,
    trigger: e.trigger,
    dedupKey: e.dedupKey,
    createdAt: fromDate(e.createdAt),
    startedAt: fromDateOrNull(e.startedAt),
    finishedAt: fromDateOrNull(e.finishedAt),
    result: fromJson<unknown>(e.result),
    error: e.error,
    owner: e.owner ?? null,
    leaseUntil: fromDateOrNull(e.leaseUntil ?? null),
  };
}

export function toLogDoc(l: LogRecord): LogDoc {
  return {
    executionId: l.executionId,
    seq: l.seq,
    ts: toDate(l.ts),
    level: l.level,
    message: l.message,
    fields: toJson(l.fields),
  };
}

export function fromLogDoc(l: LogDoc): LogRecord {
  return {
    executionId: l.executionId,
    seq: l.seq,
    ts: fromDate(l.ts),
    level: l.level,
    message: l.message,
    fields: fromJson<Record<string, unknown>>(l.fields),
  };
}

export function toStepDoc(s: StepRecord): StepDoc {
  return {
    executionId: s.executionId,
    seq: s.seq,
    name: s.name,
    status: s.status,
    startedAt: toDate(s.startedAt),
    finishedAt: toDateOrNull(s.finishedAt),
    output: s.output,
    error: s.error,
  };
}

export function fromStepDoc(d: StepDoc): StepRecord {
  return {
    executionId: d.executionId,
    seq: d.seq,
    name: d.name,
    status: d.status,
    startedAt: fromDate(d.startedAt),
    finishedAt: fromDateOrNull(d.finishedAt),
    output: d.output,
    error: d.error,
  };
}

export function toAttachmentDoc(a: AttachmentRecord): AttachmentDoc {
  return { executionId: a.executionId, seq: a.seq, name: a.name, contentType: a.contentType, size: a.size, data: a.data };
}

export function fromAttachmentInfoDoc(d: AttachmentInfoDoc): AttachmentInfo {
  return { executionId: d.executionId, seq: d.seq, name: d.name, contentType: d.contentType, size: d.size };
}

export function fromAttachmentDoc(d: AttachmentDoc): AttachmentRecord {
  return { ...fromAttachmentInfoDoc(d), data: d.data };
}

export const seriesId = (env: string, fingerprint: string): string => `${env}:${fingerprint}`;

export function toSeriesDoc(s: Series): SeriesDoc {
  return {
    _id: seriesId(s.env, s.fingerprint),
    env: s.env,
    fingerprint: s.fingerprint,
    labels: toPairs(s.labels),
    state: s.state,
    episode: s.episode,
    episodeStartsAt: toDateOrNull(s.episodeStartsAt),
    episodeSeenAt: toDate(s.episodeSeenAt),
    lastEventId: s.lastEventId,
    lastSeenAt: toDate(s.lastSeenAt),
    transitions: s.transitions.map((t) => ({ at: toDate(t.at), to: t.to, episode: t.episode, eventId: t.eventId })),
    flapping: s.flapping,
    flappingSince: toDateOrNull(s.flappingSince),
    version: s.version,
  };
}

export function fromSeriesDoc(d: SeriesDoc): Series {
  return {
    env: d.env,
    fingerprint: d.fingerprint,
    labels: fromPairs(d.labels),
    state: d.state,
    episode: d.episode,
    episodeStartsAt: fromDateOrNull(d.episodeStartsAt),
    episodeSeenAt: fromDate(d.episodeSeenAt),
    lastEventId: d.lastEventId,
    lastSeenAt: fromDate(d.lastSeenAt),
    transitions: d.transitions.map((t) => ({ at: fromDate(t.at), to: t.to, episode: t.episode, eventId: t.eventId })),
    flapping: d.flapping,
    flappingSince: fromDateOrNull(d.flappingSince),
    version: d.version,
  };
}

export function toPendingDoc(p: PendingRecord): PendingDoc {
  return {
    _id: p.id,
    env: p.env,
    project: p.project,
    runbook: p.runbook,
    version: p.version,
    trigger: p.trigger,
    eventId: p.eventId,
    fingerprint: p.fingerprint,
    episode: p.episode,
    dedupKey: p.dedupKey,
    forMs: p.forMs,
    createdAt: toDate(p.createdAt),
    dueAt: toDate(p.dueAt),
  };
}

export function fromPendingDoc(d: PendingDoc): PendingRecord {
  return {
    id: d._id,
    env: d.env,
    project: d.project ?? DEFAULT_PROJECT,
    runbook: d.runbook,
    version: d.version,
    trigger: d.trigger,
    eventId: d.eventId,
    fingerprint: d.fingerprint,
    episode: d.episode,
    dedupKey: d.dedupKey,
    forMs: d.forMs,
    createdAt: fromDate(d.createdAt),
    dueAt: fromDate(d.dueAt),
  };
}

/** A project created through the API; `_id` is its name (unique). */
export interface ProjectDoc {
  _id: string;
  remote: ProjectRemoteRecord | null;
  settings: ProjectSettingsRecord;
  createdAt: Date;
  createdBy: string;
}

export function toProjectDoc(p: ProjectRecord): ProjectDoc {
  return { _id: p.name, remote: p.remote === null ? null : { ...p.remote }, settings: { ...p.settings }, createdAt: toDate(p.createdAt), createdBy: p.createdBy };
}

export function fromProjectDoc(d: ProjectDoc): ProjectRecord {
  return { name: d._id, remote: d.remote === null ? null : { ...d.remote }, settings: { ...d.settings }, createdAt: fromDate(d.createdAt), createdBy: d.createdBy };
}

/**
 * The smallest UUIDv7 made at or after `since` (the first 48 bits of an id are its Unix
 * milliseconds), so "received since" is a range on `_id`.
 */
export function idLowerBound(since: Timestamp): string {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw new RangeError(`since must be an ISO-8601 time, got ${JSON.stringify(since)}`);
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1))
    .toString(16)
    .padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The database named in a connection string's path, if any (`mongodb://h:27017/wolfe?…`). */
export function databaseFromUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?#]*\/([^?#]*)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name === '' ? undefined : name;
}
