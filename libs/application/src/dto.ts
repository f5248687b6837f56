import type { AttachmentInfoDto, EventDto, ExecutionDetailDto, ExecutionSummaryDto, LogLineDto, RunbookCatalogDto, StepDto } from '@wolfe/api-types';
import type { CatalogSnapshot } from './catalog';
import type { AttachmentInfo, EventRecord, ExecutionRecord, LogRecord, StepRecord } from './ports/records';

export function toExecutionSummary(e: ExecutionRecord): ExecutionSummaryDto {
  const durationMs = e.startedAt && e.finishedAt ? Date.parse(e.finishedAt) - Date.parse(e.startedAt) : null;
  return {
    id: e.id,
    project: e.project,
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

export const toStepDto = (s: StepRecord): StepDto => ({
  seq: s.seq,
  name: s.name,
  status: s.status,
  startedAt: s.startedAt,
  finishedAt: s.finishedAt,
  durationMs: s.finishedAt === null ? null : Math.max(0, Date.parse(s.finishedAt) - Date.parse(s.startedAt)),
  output: s.output,
  error: s.error,
});

export const toAttachmentInfoDto = (a: AttachmentInfo): AttachmentInfoDto => ({
  seq: a.seq,
  name: a.name,
  contentType: a.contentType,
  size: a.size,
});

export function toExecutionDetail(
  e: ExecutionRecord,
  event: EventRecord | null,
  logs: readonly LogRecord[],
  steps: readonly StepRecord[] = [],
  attachments: readonly AttachmentInfo[] = [],
): ExecutionDetailDto {
  return {
    ...toExecutionSummary(e),
    event: event ? toEventDto(event) : null,
    logs: logs.map(toLogLine),
    steps: steps.map(toStepDto),
    attachments: attachments.map(toAttachmentInfoDto),
    result: e.result ?? null,
    error: e.error ? { ...e.error, location: e.error.location ? { ...e.error.location } : null } : null,
  };
}

export function toCatalogDto(s: CatalogSnapshot): RunbookCatalogDto {
  return {
    project: s.project,
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
