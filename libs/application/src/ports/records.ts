import type { AlertStatus, Labels } from '@wolfe/events';

/** Environments are git branches. */
export const ENVIRONMENTS = ['dev', 'test', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const isEnvironment = (v: unknown): v is Environment => typeof v === 'string' && (ENVIRONMENTS as readonly string[]).includes(v);

/** ISO-8601 UTC timestamp with milliseconds, e.g. `2026-11-21T14:00:00.000Z`. */
export type Timestamp = string;

/**
 * One HTTP (or queue) delivery exactly as received: the raw body is kept for inspection
 * whether it was accepted or rejected.
 */
export interface DeliveryRecord {
  readonly id: string;
  readonly source: string;
  readonly env: Environment;
  readonly receivedAt: Timestamp;
  readonly contentType: string | null;
  /** Raw body as text (bounded by the intake body limit). */
  readonly body: string;
  readonly outcome: 'accepted' | 'rejected';
  /** Why it was rejected: names the field and the fix. Null when accepted. */
  readonly error: string | null;
  readonly eventIds: readonly string[];
}

/**
 * The router's verdict for one event. `null` on an EventRecord means "accepted, not yet
 * routed": a restart routes such events again, so an accepted alert is never lost.
 *
 * - `matched`: at least one execution was created for it;
 * - `pending`: a matching trigger has `for:` and the series has not fired that long yet;
 *   a durable PendingRecord runs it when due (the decision then becomes `matched`, or
 *   `suppressed` when the series resolved first);
 * - `deduplicated`: every match was already handled (an execution or a pending run of the
 *   same episode exists);
 * - `suppressed`: it matched, but automation was held back: the series is flapping, the
 *   event belongs to an older (stale) episode, or a pending run was dropped;
 * - `unmatched`: no runbook's trigger matched.
 */
export const EVENT_DECISIONS = ['matched', 'unmatched', 'deduplicated', 'pending', 'suppressed'] as const;
export type EventDecision = (typeof EVENT_DECISIONS)[number];

/** Why a candidate runbook did or did not run for an event. */
export interface CandidateExplanation {
  /** The runbook's project; absent on explanations recorded before projects existed (= `default`). */
  readonly project?: string;
  readonly runbook: string;
  readonly version: string;
  readonly matched: boolean;
  /** Index of the trigger in runbook.yaml that matched (or was closest), if any. */
  readonly trigger: number | null;
  /** Human-readable reason, e.g. `label severity="info" does not match severity=~"warning|critical"`. */
  readonly reason: string;
  /** Set when the match was deduplicated: the execution that already handles it. */
  readonly duplicateOf?: string;
  /** Set when an execution was started. */
  readonly executionId?: string;
  /** Set when the match was deduplicated against another event's pending run (that event's id). */
  readonly duplicateOfEvent?: string;
  /** Set while the run waits for the trigger's `for:`: when it is due. */
  readonly pendingUntil?: Timestamp;
  /** Set when the match was held back (flapping, stale episode, pending run dropped). */
  readonly suppressed?: true;
}

export interface EventRecord {
  readonly id: string;
  readonly deliveryId: string;
  readonly source: string;
  readonly env: Environment;
  /** Alertmanager-compatible fingerprint of `labels`. */
  readonly fingerprint: string;
  readonly sourceFingerprint: string | null;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status: AlertStatus;
  readonly startsAt: Timestamp | null;
  readonly endsAt: Timestamp | null;
  readonly sourceUrl: string | null;
  readonly receivedAt: Timestamp;
  readonly decision: EventDecision | null;
  readonly decidedAt: Timestamp | null;
  readonly explanation: readonly CandidateExplanation[];
  readonly executionIds: readonly string[];
}

export const EXECUTION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const isTerminal = (s: ExecutionStatus): boolean => s !== 'queued' && s !== 'running';

/** Where in the runbook's own TypeScript an error happened (via the source map). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface ExecutionError {
  /** e.g. `TypeError`, `TimeoutError`, `MemoryLimitError`, `InterruptedError`. */
  readonly name: string;
  /** The message, ending with ` (at index.ts:12:7)` when the location is known. */
  readonly message: string;
  /** Stack with frames mapped to the runbook's TypeScript files; no host paths. */
  readonly stack: string | null;
  readonly location: SourceLocation | null;
  /** Set when a platform limit ended the execution: `timeout`, `memory`, … */
  readonly limit: string | null;
}

export interface ExecutionRecord {
  readonly id: string;
  /** The project (git repository) of the runbook: a runbook is (project, name). `default` for rows from before projects. */
  readonly project: string;
  readonly runbook: string;
  readonly env: Environment;
  /** Commit SHA of the runbook repository that this execution runs. */
  readonly version: string;
  readonly status: ExecutionStatus;
  readonly eventId: string | null;
  /** Index of the trigger that started it (null for manual runs). */
  readonly trigger: number | null;
  /**
   * One real problem triggers one remediation: two executions never share a dedup key
   * (the store enforces it atomically). Null for runs that must never be deduplicated.
   */
  readonly dedupKey: string | null;
  readonly createdAt: Timestamp;
  readonly startedAt: Timestamp | null;
  readonly finishedAt: Timestamp | null;
  /** The runbook's return value (JSON, bounded in size). */
  readonly result: unknown;
  readonly error: ExecutionError | null;
  /**
   * The Wolfe instance that claimed it (`hostname:pid:random`, one per process), kept after it
   * ends. Stores always return it (null until claimed, and for rows from before leases); it is
   * optional only on a record being created (a queued execution has no owner).
   */
  readonly owner: string | null;
  /**
   * Until when its owner holds it: the owner renews the lease while the execution runs; a
   * `running` execution whose lease expired (or is null: rows from before leases) was cut off
   * and is failed by whichever process sweeps first. Optional like `owner`.
   */
  readonly leaseUntil: Timestamp | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogRecord {
  readonly executionId: string;
  /** 0, 1, 2, … per execution: the order the runbook wrote them in. */
  readonly seq: number;
  readonly ts: Timestamp;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | null;
}

/** A step is recorded `running` when it starts, then once more when it ends. */
export const STEP_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * One `ctx.step(name, fn)` of an execution: the notebook of what was checked and done.
 * Keyed by (executionId, seq); the end of a step replaces its start (same seq).
 */
export interface StepRecord {
  readonly executionId: string;
  /** 0, 1, 2, … per execution, in the order the steps started. */
  readonly seq: number;
  readonly name: string;
  readonly status: StepStatus;
  readonly startedAt: Timestamp;
  readonly finishedAt: Timestamp | null;
  /** Short JSON preview of the step's value (bounded by the sandbox, ~1 KiB); null unless succeeded. */
  readonly output: string | null;
  /** Why it failed (bounded); null unless failed. */
  readonly error: string | null;
}

/**
 * One `ctx.attach(name, data)`: a table or series kept with the execution. One record per
 * attachment (never one growing document per execution); the sandbox bounds the data
 * (256 KiB each, 1 MiB per execution).
 */
export interface AttachmentRecord {
  readonly executionId: string;
  /** 0, 1, 2, … per execution, in the order they were attached. */
  readonly seq: number;
  readonly name: string;
  /** Media type of `data`; `application/json` for `ctx.attach`. */
  readonly contentType: string;
  /** The attachment itself, as text (JSON text for `application/json`). */
  readonly data: string;
  /** Bytes of `data` in UTF-8. */
  readonly size: number;
}

/** An attachment without its data: what lists show. */
export type AttachmentInfo = Omit<AttachmentRecord, 'data'>;

/**
 * A run that waits for its trigger's `for:`: durable, so it survives a restart, and
 * re-evaluated when due. One per dedup key (the key of the execution it would create).
 */
export interface PendingRecord {
  readonly id: string;
  readonly env: Environment;
  /** The runbook's project (`default` for rows from before projects). */
  readonly project: string;
  readonly runbook: string;
  /** The catalog version the decision was made at; the execution runs this version. */
  readonly version: string;
  readonly trigger: number;
  readonly eventId: string;
  readonly fingerprint: string;
  /** The series episode it waits in: resolved or replaced before dueAt → dropped. */
  readonly episode: string;
  readonly dedupKey: string;
  readonly forMs: number;
  readonly createdAt: Timestamp;
  readonly dueAt: Timestamp;
}

/** How a project's git remote is reached. Never a secret: a token is named by its environment variable. */
export interface ProjectRemoteRecord {
  /** https://, ssh://, git@host:path, file:// or an absolute path; never with credentials in it. */
  readonly url: string;
  /** The NAME of the environment variable holding the access token (read when the remote is used). */
  readonly tokenEnv: string | null;
  /** Basic-auth user sent with the token (GitHub: x-access-token, GitLab: oauth2); null = the default. */
  readonly username: string | null;
  /** Absolute path of an ssh private key. */
  readonly sshKeyFile: string | null;
  /** Absolute path of a known_hosts file for ssh; null = ssh's own. */
  readonly knownHostsFile: string | null;
}

/** Per-project settings; absent = the default. */
export interface ProjectSettingsRecord {
  readonly allowSkipTest?: boolean;
  readonly replayEvents?: number;
  /** How often the remote is fetched (ms). */
  readonly pollIntervalMs?: number;
  /** The NAME of the environment variable holding the sync webhook's secret. */
  readonly webhookSecretEnv?: string;
}

/**
 * A project created through the API (`POST /api/v1/projects`): one git repository (usually one
 * team's), branches dev/test/prod. Kept in the store so every process of a deployment knows it
 * and it survives a restart. Projects of the configuration file and `default` are not stored.
 */
export interface ProjectRecord {
  /** `[a-z0-9][a-z0-9-]{0,62}`, unique. */
  readonly name: string;
  readonly remote: ProjectRemoteRecord | null;
  readonly settings: ProjectSettingsRecord;
  readonly createdAt: Timestamp;
  /** The principal that created it. */
  readonly createdBy: string;
}
