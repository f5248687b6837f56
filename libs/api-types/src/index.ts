/**
 * The public REST API's shapes (`/api/v1`). The server answers with these; the Studio
 * and the CLI read them. Plain JSON types only: no engine, no framework.
 */

export type ExecutionStatusDto = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
export type EnvironmentDto = 'dev' | 'test' | 'prod';
export type LogLevelDto = 'debug' | 'info' | 'warn' | 'error';

export interface PageDto<T> {
  items: T[];
  /** Opaque cursor for `?cursor=`; null on the last page. */
  next: string | null;
}

export interface ExecutionErrorDto {
  name: string;
  /** Ends with ` (at index.ts:LINE:COL)` when the runbook source line is known. */
  message: string;
  stack: string | null;
  location: { file: string; line: number; column: number } | null;
  limit: string | null;
}

export interface ExecutionSummaryDto {
  id: string;
  runbook: string;
  env: EnvironmentDto;
  status: ExecutionStatusDto;
  /** Commit SHA of the runbook repository that ran. */
  version: string;
  eventId: string | null;
  trigger: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** finishedAt - startedAt, in ms, when both are known. */
  durationMs: number | null;
}

export interface LogLineDto {
  seq: number;
  ts: string;
  level: LogLevelDto;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface EventDto {
  id: string;
  source: string;
  env: EnvironmentDto;
  fingerprint: string;
  sourceFingerprint: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
  startsAt: string | null;
  endsAt: string | null;
  receivedAt: string;
  decision: 'matched' | 'unmatched' | 'deduplicated' | null;
  executionIds: string[];
}

export interface ExecutionDetailDto extends ExecutionSummaryDto {
  event: EventDto | null;
  logs: LogLineDto[];
  result: unknown;
  error: ExecutionErrorDto | null;
}

export interface IntakeAcceptedDto {
  deliveryId: string;
  /** One id per alert in the payload, in payload order. */
  eventIds: string[];
  env: EnvironmentDto;
}

export interface ApiErrorDto {
  statusCode: number;
  error: string;
  /** Names the field or file that is wrong and how to fix it. */
  message: string;
  /** For rejected intake bodies: the delivery id under which the raw body was kept. */
  deliveryId?: string;
}

export interface RunbookProblemDto {
  file: string;
  field: string | null;
  line: number | null;
  message: string;
}

export interface RunbookSummaryDto {
  name: string;
  description: string;
  owner: string;
  version: string;
  triggers: { match: string; status: 'firing' | 'resolved' | 'any'; source: string | null }[];
}

export interface RunbookCatalogDto {
  env: EnvironmentDto;
  version: string;
  items: RunbookSummaryDto[];
  /** Runbooks that failed to load at this version; the others keep working. */
  problems: (RunbookProblemDto & { runbook: string })[];
}
