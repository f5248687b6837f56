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
  /** The runbook's project (its git repository): a runbook is (project, name). */
  project: string;
  runbook: string;
  env: EnvironmentDto;
  status: ExecutionStatusDto;
  /** Commit SHA of the runbook's project repository that ran. */
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

export type StepStatusDto = 'running' | 'succeeded' | 'failed';

/** One `ctx.step(name, fn)`: the execution's notebook of what was checked and done. */
export interface StepDto {
  /** 0, 1, 2, … in the order the steps started. */
  seq: number;
  name: string;
  status: StepStatusDto;
  startedAt: string;
  finishedAt: string | null;
  /** finishedAt - startedAt in ms; null while running. */
  durationMs: number | null;
  /** Short JSON preview of the step's value (cut at 1 KiB, marked `…`); null unless succeeded. */
  output: string | null;
  /** Why it failed (e.g. `RangeError: disk is full`); null unless failed. */
  error: string | null;
}

/** One `ctx.attach(name, data)`, without its data: `GET /api/v1/executions/:id/attachments/:seq` returns that. */
export interface AttachmentInfoDto {
  /** 0, 1, 2, … in the order attached; the `:seq` of the data's URL. */
  seq: number;
  name: string;
  /** `application/json`. */
  contentType: string;
  /** Bytes of the data (UTF-8 JSON text). */
  size: number;
}

/**
 * The router's verdict (null: accepted, not yet routed). `pending`: waiting for a trigger's
 * `for:`; `suppressed`: matched but held back (flapping series, stale episode, pending run
 * dropped). See docs/api.md.
 */
export type EventDecisionDto = 'matched' | 'unmatched' | 'deduplicated' | 'pending' | 'suppressed';

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
  decision: EventDecisionDto | null;
  executionIds: string[];
}

/** Why one runbook did or did not run for an event. */
export interface CandidateExplanationDto {
  /** The runbook's project. */
  project: string;
  runbook: string;
  /** The catalog version (commit SHA) the verdict was made at. */
  version: string;
  matched: boolean;
  /** The trigger that matched, or the closest one. */
  trigger: number | null;
  reason: string;
  /** The execution that already handles this episode. */
  duplicateOf?: string;
  executionId?: string;
  /** The event whose pending run (trigger `for:`) already covers this episode. */
  duplicateOfEvent?: string;
  /** While waiting for the trigger's `for:`. */
  pendingUntil?: string;
  /** Matched, but held back (flapping, stale episode, pending run dropped). */
  suppressed?: true;
  /**
   * `routing`: recorded when the event was routed (matches and near misses);
   * `on_demand`: computed for this answer against the current catalog (`version`).
   */
  origin: 'routing' | 'on_demand';
}

export interface EventDetailDto extends EventDto {
  explanation: CandidateExplanationDto[];
  decidedAt: string | null;
  sourceUrl: string | null;
  /** The `default` project's catalog version the on_demand reasons were computed at (null: no catalog loaded). */
  explainedAt: string | null;
  /** Every project's catalog version the on_demand reasons were computed at. */
  explainedAtByProject: Record<string, string>;
  delivery: { id: string; contentType: string | null; body: string } | null;
}

export interface DeliveryDto {
  id: string;
  source: string;
  env: EnvironmentDto;
  receivedAt: string;
  contentType: string | null;
  /** The raw body, exactly as received. */
  body: string;
  outcome: 'accepted' | 'rejected';
  /** Why it was rejected (names the field); null when accepted. */
  error: string | null;
  eventIds: string[];
}

export interface ExecutionDetailDto extends ExecutionSummaryDto {
  event: EventDto | null;
  logs: LogLineDto[];
  /** In start order; visible while the execution runs (written every ~250 ms). */
  steps: StepDto[];
  /** In attach order, without their data. */
  attachments: AttachmentInfoDto[];
  result: unknown;
  error: ExecutionErrorDto | null;
}

export interface IntakeAcceptedDto {
  deliveryId: string;
  /** One id per alert in the payload, in payload order. */
  eventIds: string[];
  env: EnvironmentDto;
  /** SNS SubscriptionConfirmation: the URL to GET once to confirm (Wolfe never does). */
  subscribeUrl?: string;
  /** What to do next, when there is something to do (e.g. confirm the subscription). */
  message?: string;
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
  /** The project whose catalog this is (`GET /api/v1/runbooks?project=`; default `default`). */
  project: string;
  env: EnvironmentDto;
  version: string;
  items: RunbookSummaryDto[];
  /** Runbooks that failed to load at this version; the others keep working. */
  problems: (RunbookProblemDto & { runbook: string })[];
}

// ---------------------------------------------------------------------------------------------
// Runbook lifecycle: projects, runbooks in git per environment, edits, promotions, rollbacks.
// `version` of a runbook = the last commit that changed its folder on that branch.

export interface ProjectDto {
  name: string;
  /** Branches, in promotion order. */
  environments: EnvironmentDto[];
  /** Head commit per environment branch. */
  heads: Partial<Record<EnvironmentDto, string>>;
  /** Whether dev → prod may skip test. */
  allowSkipTest: boolean;
  /** The bound git remote (URL only, never credentials), or null. */
  remote: string | null;
  /** Where the project comes from: the embedded `default`, the configuration file, or the API. */
  source: 'embedded' | 'config' | 'api';
  /** At most this many recent matching events are replayed by the replay gate. */
  replayEvents: number;
  /** Whether a webhook secret is set for `POST …/:project/sync` (the secret itself is never shown). */
  webhook: boolean;
  /** The remote sync (null without a remote). */
  sync: ProjectSyncDto | null;
}

/** The state of a project's sync with its git remote. */
export interface ProjectSyncDto {
  /** How often the remote is fetched (ms); a webhook (`POST …/sync`) fetches at once. */
  pollIntervalMs: number;
  /** When the last round ended (null: none yet). */
  lastSyncAt: string | null;
  /** false when the last round failed (`error`) or a branch diverged. */
  ok: boolean;
  /** Why the last round failed (no credentials in it), or null. */
  error: string | null;
  branches: ProjectBranchSyncDto[];
}

export interface ProjectBranchSyncDto {
  branch: string;
  /** `fast-forward`/`created`: commits pushed by others arrived; `ahead`: Wolfe's commits to push; `diverged`: both sides have commits the other lacks (reported, never overwritten). */
  local: 'up-to-date' | 'created' | 'fast-forward' | 'ahead' | 'diverged' | 'missing-on-remote';
  /** `pushed`: Wolfe's commits went out. */
  remote: 'pushed' | 'up-to-date' | 'rejected' | 'not-pushed';
  message: string | null;
}

export interface ProjectListDto {
  items: ProjectDto[];
  /** Projects that are declared or stored but cannot be served right now (e.g. the clone failed), with the reason; retried. */
  unavailable: { name: string; reason: string }[];
}

/** `POST /api/v1/projects`. Secrets are never sent: a token is named by the environment variable that holds it. */
export interface CreateProjectRequestDto {
  name: string;
  remote?: {
    url: string;
    /** The NAME of the server's environment variable that holds the access token (e.g. PAYMENTS_GIT_TOKEN). */
    tokenEnv?: string;
    /** Basic-auth user sent with the token (GitHub: x-access-token, the default; GitLab: oauth2). */
    username?: string;
    /** Absolute path (on the server) of an ssh private key. */
    sshKeyFile?: string;
    /** Absolute path (on the server) of a known_hosts file. */
    knownHostsFile?: string;
  };
  /** Remote fetch interval, e.g. `30s` (default 30s). */
  pollInterval?: string;
  allowSkipTest?: boolean;
  replayEvents?: number;
  /** The NAME of the environment variable that holds the sync webhook's secret. */
  webhookSecretEnv?: string;
}

/** `POST /api/v1/projects/:project/sync`: one sync round with the remote. */
export interface ProjectSyncResultDto {
  project: string;
  /** false: the round was still running when the answer was due; it goes on (see GET …/:project). */
  done: boolean;
  sync: ProjectSyncDto;
  /** Branch heads this process serves now. */
  heads: Partial<Record<EnvironmentDto, string>>;
}

export interface RunbookTriggerDto {
  match: string;
  status: 'firing' | 'resolved' | 'any';
  source: string | null;
}

export type GateNameDto = 'manifest' | 'compile' | 'typecheck' | 'tests' | 'replay';

export interface GateResultDto {
  name: GateNameDto;
  status: 'passed' | 'failed' | 'skipped';
  message: string;
  problems: RunbookProblemDto[];
  /** e.g. `3/3` for tests and replayed events. */
  count: string | null;
  durationMs: number;
}

/** The last validation of a runbook that arrived on a branch outside Wolfe's API (GitOps). */
export interface RunbookValidationDto {
  /** The branch head that was checked. */
  commit: string;
  ok: boolean;
  gates: GateResultDto[];
  checkedAt: string;
}

export interface LifecycleRunbookSummaryDto {
  name: string;
  /** Last commit that changed the runbook's folder on this branch. */
  version: string;
  description: string | null;
  owner: string | null;
  triggers: RunbookTriggerDto[];
  /** Why it does not load (manifest, compile, types); empty when it does. */
  problems: RunbookProblemDto[];
  /** Set when a commit that did not come through Wolfe's API changed it (GitOps check). */
  validation: RunbookValidationDto | null;
}

export interface LifecycleRunbookListDto {
  project: string;
  env: EnvironmentDto;
  /** Branch head. */
  commit: string;
  items: LifecycleRunbookSummaryDto[];
}

export interface LifecycleRunbookDto {
  project: string;
  name: string;
  /** The environment asked for (null when read at a version). */
  env: EnvironmentDto | null;
  /** The commit read (branch head or the given version). */
  commit: string;
  version: string;
  /** runbook.yaml as text. */
  manifest: string;
  /** Folder-relative path → content: every file but runbook.yaml and tests/. */
  code: Record<string, string>;
  /** Folder-relative path → content: the files under tests/. */
  tests: Record<string, string>;
  problems: RunbookProblemDto[];
}

export interface AuditDto {
  action: 'create' | 'edit' | 'delete' | 'promote' | 'rollback';
  runbook: string | null;
  /** `dev@<sha>` (promotion) or `<sha>` (rollback). */
  from: string | null;
  to: string | null;
  /** The runbook's version on the branch before. */
  replaces: string | null;
  base: string | null;
  actor: string | null;
  onBehalfOf: string | null;
  reason: string | null;
  gates: string | null;
  override: string | null;
}

export interface RunbookCommitDto {
  version: string;
  author: { name: string; email: string };
  date: string;
  subject: string;
  message: string;
  trailers: { key: string; value: string }[];
  /** Parsed Wolfe-* trailers; null for a commit made outside Wolfe. */
  audit: AuditDto | null;
}

export interface RunbookHistoryDto {
  project: string;
  name: string;
  env: EnvironmentDto;
  items: RunbookCommitDto[];
}

export interface RunbookDiffDto {
  project: string;
  name: string;
  from: { ref: string; commit: string };
  to: { ref: string; commit: string };
  files: { path: string; status: 'added' | 'modified' | 'deleted' | 'type-changed'; additions: number | null; deletions: number | null }[];
  /** Unified diff of the runbook's folder. */
  diff: string;
}

export interface SaveRunbookRequestDto {
  manifest: string;
  /** index.ts as text, or every code file (folder-relative path → content; files not listed are deleted). */
  code: string | Record<string, string>;
  /** Every file under tests/ (`tests/…` → content); omitted = unchanged. */
  tests?: Record<string, string>;
  message: string;
  /** The runbook version the change is based on; if the runbook changed since → 409. */
  baseVersion?: string;
}

export interface DeleteRunbookRequestDto {
  message?: string;
  baseVersion?: string;
}

export interface LifecycleCommitResultDto {
  project: string;
  name: string;
  env: EnvironmentDto;
  /** false: the branch already had exactly these files; nothing was committed. */
  changed: boolean;
  /** The new branch head (the commit made), or the unchanged head. */
  commit: string;
  /** The runbook's version on the branch now (null after a deletion). */
  version: string | null;
  /** Whether this process serves the environment with that commit already (promotions: new executions run it). */
  live: boolean;
}

export interface PromotionRequestDto {
  from: EnvironmentDto;
  to: EnvironmentDto;
  reason?: string;
  /** The source version expected (as read before); if the source changed since → 409. */
  version?: string;
  /** Promote although a gate failed; the reason is recorded in the commit. */
  override?: { reason: string };
}

export interface PromotionResultDto extends LifecycleCommitResultDto {
  from: { env: EnvironmentDto; version: string | null };
  gates: GateResultDto[];
  overridden: boolean;
}

export interface RollbackRequestDto {
  env: EnvironmentDto;
  version: string;
  reason: string;
  override?: { reason: string };
}

export interface RollbackResultDto extends LifecycleCommitResultDto {
  restored: string;
  gates: GateResultDto[];
}

export interface ManualRunRequestDto {
  /** An event to run with (recorded in the ledger as source `manual`, decided, never routed to other runbooks). */
  event?: {
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    status?: 'firing' | 'resolved';
    startsAt?: string | null;
    endsAt?: string | null;
    source?: string;
  };
  /** Or an event already in the ledger. */
  eventId?: string;
}

export interface ManualRunResultDto {
  executionId: string;
  project: string;
  runbook: string;
  env: EnvironmentDto;
  version: string;
  eventId: string | null;
}

/** 409 answer of an edit whose baseVersion is stale: what changed since. */
export interface RunbookConflictDto extends ApiErrorDto {
  baseVersion: string;
  currentVersion: string | null;
  commits: RunbookCommitDto[];
  files: RunbookDiffDto['files'];
  diff: string;
}

/** 422 answer: the problems (file, line) or the gates that failed. */
export interface RunbookRejectedDto extends ApiErrorDto {
  problems?: RunbookProblemDto[];
  gates?: GateResultDto[];
}
