import type { AttachmentRecord, DeliveryRecord, EventRecord, ExecutionRecord, LogRecord, PendingRecord, ProjectRecord, StepRecord } from '@wolfe/application';
import type { Series } from '@wolfe/series';
import { testId } from './test-ids';

/** A canonical Timestamp (ISO-8601 UTC with milliseconds) `offsetMs` after a fixed instant. */
export function ts(offsetMs = 0): string {
  return new Date(Date.UTC(2026, 10, 21, 14, 0, 0, 0) + offsetMs).toISOString();
}

/** The owner claims are made by in the contract (a Wolfe instance id). */
export const OWNER = 'host-a:101:a1b2c3';
/** The lease a contract claim at ts(ms) takes: 30 s. */
export const leaseFor = (ms: number): string => ts(ms + 30_000);

export function makeEvent(deliveryId: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: testId(),
    deliveryId,
    source: 'alertmanager',
    env: 'prod',
    fingerprint: 'f1a2b3c4d5e6f708',
    sourceFingerprint: 'a1b2c3',
    labels: { alertname: 'HighLatency', severity: 'critical', service: 'checkout' },
    annotations: { summary: 'p99 latency above 2s', runbook_url: 'https://runbooks.example/latency' },
    status: 'firing',
    startsAt: ts(-60_000),
    endsAt: null,
    sourceUrl: 'https://prometheus.example/graph?g0.expr=latency',
    receivedAt: ts(),
    decision: null,
    decidedAt: null,
    explanation: [],
    executionIds: [],
    ...overrides,
  };
}

/**
 * A delivery with `eventCount` events (all of them sharing `eventOverrides`). A delivery
 * with no events is recorded as rejected unless `overrides` says otherwise.
 */
export function makeDelivery(
  eventCount = 1,
  overrides: Partial<Omit<DeliveryRecord, 'eventIds'>> = {},
  eventOverrides: Partial<Omit<EventRecord, 'deliveryId'>> = {},
): { delivery: DeliveryRecord; events: EventRecord[] } {
  const id = overrides.id ?? testId();
  const events = Array.from({ length: eventCount }, () =>
    makeEvent(id, { source: overrides.source ?? 'alertmanager', env: overrides.env ?? 'prod', ...eventOverrides }),
  );
  const delivery: DeliveryRecord = {
    id,
    source: 'alertmanager',
    env: 'prod',
    receivedAt: ts(),
    contentType: 'application/json',
    body: JSON.stringify({ version: '4', alerts: events.map((e) => ({ labels: e.labels })) }),
    outcome: eventCount > 0 ? 'accepted' : 'rejected',
    error: eventCount > 0 ? null : 'alerts: expected at least one alert; send {"alerts":[…]}',
    ...overrides,
    eventIds: events.map((e) => e.id),
  };
  return { delivery, events };
}

export function makeExecution(overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id: testId(),
    project: 'default',
    runbook: 'restart-pod',
    env: 'prod',
    version: '3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39',
    status: 'queued',
    eventId: testId(),
    trigger: 0,
    dedupKey: null,
    createdAt: ts(),
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    owner: null,
    leaseUntil: null,
    ...overrides,
  };
}

export function makeLog(executionId: string, seq: number, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    executionId,
    seq,
    ts: ts(seq),
    level: 'info',
    message: `step ${seq}`,
    fields: null,
    ...overrides,
  };
}

/** A step; `running` unless overridden (the end of a step is `makeStep(…, { status, finishedAt, … })`). */
export function makeStep(executionId: string, seq: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    executionId,
    seq,
    name: `check ${seq}`,
    status: 'running',
    startedAt: ts(seq * 100),
    finishedAt: null,
    output: null,
    error: null,
    ...overrides,
  };
}

/** A JSON attachment: a small table of rows unless `data` is given; `size` follows `data`. */
export function makeAttachment(executionId: string, seq: number, overrides: Partial<Omit<AttachmentRecord, 'size'>> = {}): AttachmentRecord {
  const data = overrides.data ?? JSON.stringify([{ path: '/var/log', bytes: 1024 * (seq + 1) }, { path: '/tmp', bytes: 10 }]);
  return {
    executionId,
    seq,
    name: `table ${seq}`,
    contentType: 'application/json',
    ...overrides,
    data,
    size: new TextEncoder().encode(data).byteLength,
  };
}

export function makeSeries(overrides: Partial<Series> = {}): Series {
  return {
    env: 'prod',
    fingerprint: 'f1a2b3c4d5e6f708',
    labels: { alertname: 'HighLatency', severity: 'critical', 'ünï.code': '🚨' },
    state: 'firing',
    episode: ts(-60_000),
    episodeStartsAt: ts(-60_000),
    episodeSeenAt: ts(),
    lastEventId: testId(),
    lastSeenAt: ts(),
    transitions: [{ at: ts(), to: 'firing', episode: ts(-60_000), eventId: testId() }],
    flapping: false,
    flappingSince: null,
    version: 1,
    ...overrides,
  };
}

export function makePending(overrides: Partial<PendingRecord> = {}): PendingRecord {
  return {
    id: testId(),
    env: 'prod',
    project: 'default',
    runbook: 'restart-pod',
    version: '3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39',
    trigger: 0,
    eventId: testId(),
    fingerprint: 'f1a2b3c4d5e6f708',
    episode: ts(-60_000),
    dedupKey: `prod|restart-pod|f1a2b3c4d5e6f708|firing|${ts(-60_000)}`,
    forMs: 120_000,
    createdAt: ts(),
    dueAt: ts(60_000),
    ...overrides,
  };
}

export function makeProject(overrides: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    name: 'payments',
    remote: { url: 'https://git.example.com/acme/payments-runbooks.git', tokenEnv: 'PAYMENTS_GIT_TOKEN', username: null, sshKeyFile: null, knownHostsFile: null },
    settings: { allowSkipTest: false, replayEvents: 5, pollIntervalMs: 30_000 },
    createdAt: ts(),
    createdBy: 'admin',
    ...overrides,
  };
}
