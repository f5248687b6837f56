/**
 * `@wolfe/sdk`: what a runbook imports.
 *
 * A runbook is a folder with a `runbook.yaml` (when it runs, with which limits) and an
 * `index.ts` whose default export is `runbook(handler)`:
 *
 * ```ts
 * import { runbook } from '@wolfe/sdk';
 *
 * export default runbook(async (ctx) => {
 *   ctx.log.info('disk almost full', { instance: ctx.event.labels.instance });
 *   return { freedBytes: 0 };
 * });
 * ```
 *
 * Runbooks run in a sandbox (a V8 isolate): there is no `require`, no `process`, no file
 * system and no network unless `ctx` offers it. They may import `@wolfe/sdk` and their own
 * relative files only.
 *
 * @packageDocumentation
 */

/** The environment a runbook runs in. Environments are git branches of the runbook repository. */
export type RunbookEnvironment = 'dev' | 'test' | 'prod';

/** Whether the alert is still going on (`firing`) or is over (`resolved`). */
export type RunbookEventStatus = 'firing' | 'resolved';

/** A label set, e.g. `{ alertname: 'DiskAlmostFull', instance: 'db-1:9100' }`. Names and values are strings. */
export type RunbookLabels = Readonly<Record<string, string>>;

/**
 * The alert that triggered this execution, as every source normalizes it.
 *
 * It is plain, frozen data: changing it throws in strict mode (and runbooks are strict).
 * Times are ISO-8601 strings in UTC, e.g. `2026-11-21T14:00:00.000Z`.
 *
 * A run started by hand (not by an alert) sees an event with `source: 'manual'`, empty
 * `labels` and `annotations`, status `firing` and empty `id` / `fingerprint`.
 */
export interface RunbookEvent {
  /** Wolfe's id of the event (empty for a run started by hand). */
  readonly id: string;
  /** The source it came from, as named in the intake route, e.g. `alertmanager`. */
  readonly source: string;
  /** Alertmanager-compatible fingerprint of `labels`: the identity of the alert. */
  readonly fingerprint: string;
  /** What the alert is about. Use `ctx.event.labels.instance ?? 'unknown'`: a label may be missing. */
  readonly labels: RunbookLabels;
  /** Free-form details from the source (summary, description, runbook_url, …). */
  readonly annotations: RunbookLabels;
  /** `firing` while the problem lasts, `resolved` when the source says it is over. */
  readonly status: RunbookEventStatus;
  /** When the source says the alert started, or `null` if it did not say. */
  readonly startsAt: string | null;
  /** When the source says the alert ended, or `null` (usually `null` while firing). */
  readonly endsAt: string | null;
  /** When Wolfe received it. */
  readonly receivedAt: string;
}

/** Structured data attached to a log line. Must be JSON-serializable (it is stored as JSON). */
export type RunbookLogFields = Record<string, unknown>;

/**
 * The execution's log. Lines are stored in order with a timestamp and shown beside the
 * execution. Each method takes a message and optional JSON-serializable fields:
 *
 * ```ts
 * ctx.log.info('deleted old files', { count: 12, bytes: 5_000_000 });
 * ```
 *
 * Limits: an execution keeps at most 10,000 lines / 1 MiB of log (a final warning line
 * says when the rest was dropped); one message keeps at most 16,384 characters and one
 * line's fields at most 64 KiB of JSON. Fields that are not JSON-serializable (cycles,
 * BigInt, …) are dropped and the message says so. Keys named `__proto__`, `constructor`,
 * `prototype` or starting with `$` are removed from fields.
 *
 * `console.log/info/debug/warn/error` write to the same log.
 */
export interface RunbookLogger {
  /** Detail useful while debugging a runbook. */
  debug(message: string, fields?: RunbookLogFields): void;
  /** What the runbook did. */
  info(message: string, fields?: RunbookLogFields): void;
  /** Something unexpected that the runbook could handle. */
  warn(message: string, fields?: RunbookLogFields): void;
  /** Something went wrong. (To fail the execution, throw an `Error`.) */
  error(message: string, fields?: RunbookLogFields): void;
}

/** Which runbook is running. */
export interface RunbookInfo {
  /** The runbook's name (its folder, e.g. `payments/disk-cleanup`). */
  readonly name: string;
  /** The commit SHA of the runbook repository this execution runs. */
  readonly version: string;
}

/** Everything a runbook gets: the event, a log, who it is and where it runs. Frozen. */
export interface RunbookContext {
  /** The alert that triggered this execution. */
  readonly event: RunbookEvent;
  /** Write to the execution's log. */
  readonly log: RunbookLogger;
  /** Which runbook (and which version of it) is running. */
  readonly runbook: RunbookInfo;
  /** `dev`, `test` or `prod`: the branch this runbook version comes from. */
  readonly env: RunbookEnvironment;
}

/**
 * The function a runbook exports (wrapped in {@link runbook}).
 *
 * Return (or resolve to) the execution's result: a JSON-serializable value of at most
 * 256 KiB of JSON, nested at most 64 levels deep. It is stored as JSON: `undefined`
 * becomes `null`, keys named `__proto__`, `constructor`, `prototype` or starting with `$`
 * are removed. Throw an `Error` to fail the execution; its stack points at your
 * TypeScript lines.
 *
 * The runbook's `timeout` (runbook.yaml) covers the whole call, awaited promises included.
 */
export type RunbookHandler<Result = unknown> = (ctx: RunbookContext) => Result | Promise<Result>;

/**
 * The key of the brand that marks a value made by {@link runbook}:
 * `Symbol.for(RUNBOOK_BRAND_KEY)`. The sandbox checks the brand at run time.
 */
export const RUNBOOK_BRAND_KEY = 'wolfe.runbook.definition';

/** The brand symbol: `Symbol.for('wolfe.runbook.definition')`. */
export const RUNBOOK_BRAND: unique symbol = Symbol.for(RUNBOOK_BRAND_KEY);

/** What {@link runbook} returns; the default export of a runbook's `index.ts`. */
export interface RunbookDefinition<Result = unknown> {
  /** Brand: proves the value was made by {@link runbook}. */
  readonly [RUNBOOK_BRAND]: true;
  /** The handler passed to {@link runbook}. */
  readonly handler: RunbookHandler<Result>;
}

/**
 * Declares a runbook. Use it as the default export of `index.ts`:
 *
 * ```ts
 * import { runbook } from '@wolfe/sdk';
 *
 * export default runbook(async (ctx) => {
 *   if (ctx.event.status === 'resolved') return { skipped: true };
 *   ctx.log.info('cleaning up', { instance: ctx.event.labels.instance });
 *   return { freedBytes: 0 };
 * });
 * ```
 *
 * @param handler - called once per execution with a fresh {@link RunbookContext}.
 * @returns a frozen definition object holding `handler`.
 * @throws TypeError if `handler` is not a function.
 */
export function runbook<Result = unknown>(handler: RunbookHandler<Result>): RunbookDefinition<Result> {
  if (typeof handler !== 'function') {
    throw new TypeError(`runbook(handler): handler must be a function, got ${handler === null ? 'null' : typeof handler}`);
  }
  return Object.freeze({ [RUNBOOK_BRAND]: true as const, handler });
}

/** Whether `value` was made by {@link runbook} (checks the brand and the handler). */
export function isRunbookDefinition(value: unknown): value is RunbookDefinition {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<RunbookDefinition>;
  return candidate[RUNBOOK_BRAND] === true && typeof candidate.handler === 'function';
}
