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
 * The secrets of the runbook's project in the environment it runs in, set by an admin through
 * the API (`PUT /api/v1/projects/{project}/secrets/{name}?env=prod`), stored encrypted.
 *
 * A runbook reads only the secrets its runbook.yaml declares:
 *
 * ```yaml
 * secrets: [SLACK_TOKEN]
 * egress: ['https://hooks.slack.com']
 * ```
 *
 * ```ts
 * const token = await ctx.secrets.get('SLACK_TOKEN');
 * await ctx.http.postJson('https://hooks.slack.com/services/…', { text: 'disk cleaned' }, { headers: { authorization: `Bearer ${token}` } });
 * ```
 *
 * Once read, the value is replaced by `[secret:SLACK_TOKEN]` in everything the execution keeps:
 * log lines, step names, outputs and errors, attachments, the result, the error, emitted events
 * and state values. (Only the value itself is caught: do not transform a secret to print it.)
 * A secret can only travel to the hosts of the runbook's `egress:` allowlist.
 */
export interface RunbookSecrets {
  /**
   * The value of a declared secret.
   *
   * @param name - e.g. `SLACK_TOKEN` (letters, digits and _).
   * @returns the value.
   * @throws `SecretNotDeclaredError` when runbook.yaml does not list it under `secrets:`;
   *   `SecretNotFoundError` when it is not set for this project and environment.
   */
  get(name: string): Promise<string>;
}

/**
 * A small persistent key-value store of JSON values, one per runbook and environment (shared
 * by all its executions, kept across versions and restarts): e.g. when it last paged, or a
 * counter.
 *
 * ```ts
 * const last = await ctx.state.get<string>('last-page');
 * if (last === undefined || Date.now() - Date.parse(last) > 3_600_000) {
 *   await page();
 *   await ctx.state.set('last-page', new Date().toISOString());
 * }
 * ```
 *
 * Limits: keys of 1 to 256 characters; values of at most 64 KiB of JSON (stored like results:
 * keys named `__proto__`, `constructor`, `prototype` or starting with `$` are removed); at most
 * 1,000 keys per runbook and environment (a new key beyond that throws `StateLimitError`).
 * Concurrent executions of the same runbook share the store: the last write wins.
 */
export interface RunbookState {
  /** The value of `key`, or `undefined` when it is not set. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Sets `key` to a JSON-serializable value (`undefined` is refused: use `delete`). */
  set(key: string, value: unknown): Promise<void>;
  /** Removes `key`; resolves to whether it was set. */
  delete(key: string): Promise<boolean>;
}

/** Options of {@link RunbookHttp.fetch}. */
export interface RunbookHttpInit {
  /** `GET` (default), `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE` or `OPTIONS`. */
  readonly method?: string;
  /** Request headers (at most 64), e.g. `{ authorization: 'Bearer …' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request body as text (at most 1 MiB); for JSON use {@link RunbookHttp.postJson}. */
  readonly body?: string | null;
  /** Give up after this many milliseconds (default 30 s; never later than the runbook's timeout). */
  readonly timeoutMs?: number;
  /**
   * `follow` (default): follow up to 5 redirects, each checked against the allowlist like the
   * first request (headers are dropped when a redirect leaves the origin); `manual`: return the 3xx.
   */
  readonly redirect?: 'follow' | 'manual';
}

/** A response of {@link RunbookHttp.fetch}. The body is read whole (at most 1 MiB, else the call fails). */
export interface RunbookHttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** `status` is 200–299. */
  readonly ok: boolean;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (UTF-8). */
  text(): Promise<string>;
  /** The body parsed as JSON (rejects with a SyntaxError when it is not). */
  json<T = unknown>(): Promise<T>;
}

/**
 * HTTP to the hosts the runbook's runbook.yaml allows, and nowhere else:
 *
 * ```yaml
 * egress:
 *   - api.example.com              # https or http, default port
 *   - '*.internal.example.com'     # any host below it
 *   - https://hooks.slack.com      # https only
 *   - 10.1.2.3                     # an IP address
 * ```
 *
 * Loopback, link-local (cloud metadata such as 169.254.169.254), private and other special
 * addresses are refused unless an entry names that exact host or IP; the check is made on the
 * address the name resolves to, which is the address connected to. A refused request rejects
 * with `EgressDeniedError`. There is no proxy, no cookie jar, and no binary bodies.
 *
 * Each call counts against the host-call limit and at most 16 calls (of any capability) may be
 * in flight at once.
 */
export interface RunbookHttp {
  /** A fetch-like request. Resolves for every HTTP status (check `ok`); rejects for refusals, network errors and timeouts. */
  fetch(url: string, init?: RunbookHttpInit): Promise<RunbookHttpResponse>;
  /** GET `url` and parse the JSON answer; rejects with `HttpStatusError` (with `status`) when it is not 2xx. */
  getJson<T = unknown>(url: string, init?: Omit<RunbookHttpInit, 'body' | 'method'>): Promise<T>;
  /** POST `body` as JSON and parse the JSON answer (`null` for an empty one); rejects with `HttpStatusError` when it is not 2xx. */
  postJson<T = unknown>(url: string, body: unknown, init?: Omit<RunbookHttpInit, 'body'>): Promise<T>;
}

/** An event a runbook raises with {@link RunbookContext.emit}. */
export interface RunbookEmittedEvent {
  /** What the event is about, e.g. `{ alertname: 'DiskCleaned', instance: 'db-1:9100' }` (at least one label). */
  readonly labels: RunbookLabels;
  readonly annotations?: RunbookLabels;
  /** Default `firing`. */
  readonly status?: RunbookEventStatus;
}

/** One Prometheus sample: `[unix seconds, "value"]`. */
export type PrometheusSample = readonly [number, string];

/** The `data` of a Prometheus query answer (see Prometheus' HTTP API). */
export type PrometheusData =
  | { readonly resultType: 'vector'; readonly result: readonly { readonly metric: RunbookLabels; readonly value: PrometheusSample }[] }
  | { readonly resultType: 'matrix'; readonly result: readonly { readonly metric: RunbookLabels; readonly values: readonly PrometheusSample[] }[] }
  | { readonly resultType: 'scalar'; readonly result: PrometheusSample }
  | { readonly resultType: 'string'; readonly result: PrometheusSample };

/**
 * Queries the Prometheus the platform is configured with (`prometheus:` in the server's
 * configuration; no `egress:` entry needed). Rejects with `PrometheusError` when Prometheus
 * refuses the query, and `CapabilityUnavailableError` when none is configured.
 */
export interface RunbookPrometheus {
  /** An instant query, at `time` (default now). */
  query(promql: string, options?: { readonly time?: Date | string | number }): Promise<PrometheusData>;
  /** A range query, e.g. `{ start: new Date(Date.now() - 3_600_000), end: new Date(), step: '1m' }` (times as Dates, RFC 3339 or Unix seconds). */
  queryRange(promql: string, range: { readonly start: Date | string | number; readonly end: Date | string | number; readonly step: string | number }): Promise<PrometheusData>;
}

/**
 * Everything a runbook gets: the event, its parameters, a log, steps, sleep, attachments, who
 * it is and where it runs, and the capabilities (secrets, state, http, emit, prometheus). Frozen.
 *
 * Every call to `ctx.log.*` / `console.*`, `ctx.step` (start and end), `ctx.attach`,
 * `ctx.sleep`, `ctx.secrets`, `ctx.state`, `ctx.http`, `ctx.emit` and `ctx.prometheus` is a
 * call into the platform: an execution may make at most 100,000 of them; one more ends it as
 * `failed` with `limit: 'host_calls'`. Asynchronous calls never outlive the runbook's timeout.
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

  /** The secrets declared in runbook.yaml (`secrets:`), see {@link RunbookSecrets}. */
  readonly secrets: RunbookSecrets;
  /** This runbook's persistent key-value store in this environment, see {@link RunbookState}. */
  readonly state: RunbookState;
  /** HTTP to the hosts of runbook.yaml's `egress:` allowlist, see {@link RunbookHttp}. */
  readonly http: RunbookHttp;

  /**
   * Raises an event into Wolfe's router, as if an alert arrived: runbooks whose triggers match
   * it run (its source is `runbook:<project>/<runbook>`, which a trigger's `source:` can select).
   *
   * ```ts
   * await ctx.emit({ labels: { alertname: 'DiskCleaned', instance }, annotations: { freed: '12 GB' } });
   * ```
   *
   * Loops are prevented: an execution may emit at most 10 events; at most 3 runbooks may emit
   * in one chain (an execution started by an event at the end of such a chain cannot emit); and
   * an emitted event never starts a runbook that is already in its chain (itself included).
   * Refusals reject with `EmitLimitError`. The platform records the chain in the annotation
   * `wolfe_emit_chain`.
   *
   * @returns the id of the recorded event.
   */
  emit(event: RunbookEmittedEvent): Promise<{ readonly id: string }>;

  /** The platform's Prometheus, see {@link RunbookPrometheus}. */
  readonly prometheus: RunbookPrometheus;
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
