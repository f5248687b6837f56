import { newId } from './ids';
import type { Environment, EventRecord, ExecutionRecord } from './ports/records';
import type { SandboxEvent } from './ports/sandbox';

/** What decides a new execution; everything else starts empty. */
export interface NewExecution {
  readonly project: string;
  readonly runbook: string;
  readonly env: Environment;
  readonly version: string;
  readonly eventId: string | null;
  readonly trigger: number | null;
  readonly dedupKey: string | null;
  /** Given when the caller needs the id before the record (manual runs). */
  readonly id?: string;
}

/** A `queued` execution as routing, pending runs and manual runs create it. */
export function queuedExecution(e: NewExecution, now: Date): ExecutionRecord {
  return {
    id: e.id ?? newId(now.getTime()),
    project: e.project,
    runbook: e.runbook,
    env: e.env,
    version: e.version,
    status: 'queued',
    eventId: e.eventId,
    trigger: e.trigger,
    dedupKey: e.dedupKey,
    createdAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    owner: null,
    leaseUntil: null,
  };
}

/** The event as the runbook sees it (`ctx.event`): plain data, nothing of the record's routing state. */
export function toSandboxEvent(e: EventRecord): SandboxEvent {
  return {
    id: e.id,
    source: e.source,
    fingerprint: e.fingerprint,
    labels: e.labels,
    annotations: e.annotations,
    status: e.status,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    receivedAt: e.receivedAt,
  };
}
