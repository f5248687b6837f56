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
 * Runbooks run in a sandbox (a V8 isolate): there is no `require`, no `process`, no timers
 * (use `ctx.sleep`), no file system and no network unless `ctx` offers it. They may import `@wolfe/sdk` and their own
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

/**
 * Parameters of this run: plain, frozen JSON data. Empty (`{}`) for a run started by an
 * alert; set by whoever starts a run by hand, and by a test case (`params:` in a test file).
 */
export type RunbookParams = Readonly<Record<string, unknown>>;

/**
 * Everything a runbook gets: the event, its parameters, a log, steps, sleep, attachments, who
 * it is and where it runs. Frozen.
 *
 * Every call to `ctx.log.*` / `console.*`, `ctx.step` (start and end), `ctx.attach` and
 * `ctx.sleep` is a call into the platform: an execution may make at most 100,000 of them;
 * one more ends it as `failed` with `limit: 'host_calls'`.
 */
export interface RunbookContext {
  /** The alert that triggered this execution. */
  readonly event: RunbookEvent;
  /** Parameters of this run (`{}` unless the run was started with parameters). */
  readonly params: RunbookParams;
  /** Write to the execution's log. */
  readonly log: RunbookLogger;
  /** Which runbook (and which version of it) is running. */
  readonly runbook: RunbookInfo;
  /** `dev`, `test` or `prod`: the branch this runbook version comes from. */
  readonly env: RunbookEnvironment;

  /**
   * Runs `fn` as a named step: the execution's notebook of what was checked and done. The
   * step is recorded when it starts (`running`) and when it ends (`succeeded` with a short
   * JSON preview of its value, or `failed` with the error's message), and shown beside the
   * execution.
   *
   * ```ts
   * const usage = await ctx.step('measure disk', () => parseDf(output));
   * await ctx.step('rotate logs', async () => { … });
   * ```
   *
   * `fn` may be sync or async; `step` always returns a promise of its value and rejects with
   * the very error `fn` threw (so an uncaught failing step fails the execution). Steps may be
   * nested and run concurrently; each gets its own sequence number, in start order.
   *
   * Limits: the name keeps 200 characters, the value preview 1 KiB (cut, marked `…`); an
   * execution records at most 1,000 steps (later ones still run; a warning line says so).
   * A step still running when the execution ends is recorded as `failed`.
   *
   * @param name - what the step does, e.g. `check free space on /var`.
   * @param fn - the work; its return value (or resolved value) is the step's output.
   * @returns `fn`'s value.
   */
  step<T>(name: string, fn: () => T | PromiseLike<T>): Promise<Awaited<T>>;

  /**
   * Waits `ms` milliseconds (a platform timer: no CPU is used while waiting).
   *
   * The wait counts against the runbook's `timeout`: a sleep longer than the time left ends
   * the execution at once as `timed_out` (it never outlives the timeout).
   *
   * @param ms - milliseconds, a number ≥ 0 (otherwise the promise rejects with a TypeError).
   */
  sleep(ms: number): Promise<void>;

  /**
   * Keeps JSON data with the execution (a table, a series, a diagnosis) under `name`, shown
   * beside it. The data is copied at once; changing it afterwards changes nothing.
   *
   * ```ts
   * ctx.attach('largest directories', rows);
   * ```
   *
   * Limits: 256 KiB of JSON per attachment, 1 MiB and 20 attachments per execution. Over a
   * limit, or data that is not JSON-serializable, throws (`RangeError` / `TypeError`) and keeps
   * nothing. Keys named `__proto__`, `constructor`, `prototype` or starting with `$` are removed.
   *
   * @param name - a short title, e.g. `largest directories` (200 characters kept).
   * @param data - any JSON-serializable value.
   */
  attach(name: string, data: unknown): void;
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
