import type { EventDto, ExecutionDetailDto, ExecutionSummaryDto, LogLineDto, RunbookCatalogDto } from '@wolfe/api-types';
import type { CatalogSnapshot } from './catalog';
import type { EventRecord, ExecutionRecord, LogRecord } from './ports/records';

export function toExecutionSummary(e: ExecutionRecord): ExecutionSummaryDto {
  const durationMs = e.startedAt && e.finishedAt ? Date.parse(e.finishedAt) - Date.parse(e.startedAt) : null;
  return {
    id: e.id,
    runbook: e.runbook,
    env: e.env,
    status: e.status,
    version: e.version,
    eventId: e.eventId,
    trigger: e.trigger,
    createdAt: e.createdAt,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
    durationMs,
  };
}

export function toEventDto(e: EventRecord): EventDto {
  return {
    id: e.id,
    source: e.source,
    env: e.env,
    fingerprint: e.fingerprint,
    sourceFingerprint: e.sourceFingerprint,
    labels: { ...e.labels },
    annotations: { ...e.annotations },
    status: e.status,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    receivedAt: e.receivedAt,
    decision: e.decision,
    executionIds: [...e.executionIds],
  };
}

export const toLogLine = (l: LogRecord): LogLineDto => ({
  seq: l.seq,
  ts: l.ts,
  level: l.level,
  message: l.message,
  fields: l.fields ? { ...l.fields } : null,
});

export function toExecutionDetail(e: ExecutionRecord, event: EventRecord | null, logs: readonly LogRecord[]): ExecutionDetailDto {
  return {
    ...toExecutionSummary(e),
    event: event ? toEventDto(event) : null,
    logs: logs.map(toLogLine),
    result: e.result ?? null,
    error: e.error ? { ...e.error, location: e.error.location ? { ...e.error.location } : null } : null,
  };
}

export function toCatalogDto(s: CatalogSnapshot): RunbookCatalogDto {
  return {
    env: s.env,
    version: s.version,
    items: s.runbooks.map((r) => ({
      name: r.name,
      description: r.manifest.description,
      owner: r.manifest.owner,
      version: r.version,
      triggers: r.manifest.triggers.map((t) => ({ match: t.match, status: t.status, source: t.source })),
    })),
    problems: s.problems.map((p) => ({ runbook: p.runbook, file: p.file, field: p.field, line: p.line, message: p.message })),
  };
}
