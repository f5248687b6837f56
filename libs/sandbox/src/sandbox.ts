import { Buffer } from 'node:buffer';
import ivm from 'isolated-vm';
import type { TraceMap } from '@jridgewell/trace-mapping';
import {
  LOG_LEVELS,
  type CompiledRunbook,
  type ExecutionError,
  type LogLevel,
  type RunbookSandbox,
  type SandboxEvent,
  type SandboxOutcome,
  type SandboxRequest,
} from '@wolfe/application';
import { RUNBOOK_BRAND_KEY } from '@wolfe/sdk';
import { BOOTSTRAP_FILENAME, BOOTSTRAP_SOURCE, wrapScript, type BootstrapInput, type GuestErrorRecord } from './bootstrap';
import { parseSanitizedJson } from './json';
import { DEFAULT_OUTPUT_LIMITS, MIN_MEMORY_MIB, formatBytes, formatDuration, type OutputLimits } from './limits';
import { IsolatePool, type IsolateSlot } from './pool';
import { mapStack, parseSourceMap } from './stack';

export interface IsolateSandboxOptions {
  /** Log, result and error caps; see {@link DEFAULT_OUTPUT_LIMITS}. */
  readonly limits?: Partial<OutputLimits>;
  /**
   * Executions one isolate serves, each in a fresh context, before it is replaced (default 100).
   * `1` = a new isolate for every execution. An isolate that hit a limit is never reused.
   */
  readonly maxUsesPerIsolate?: number;
  /** Ready isolates kept between executions (default 4). */
  readonly maxIdleIsolates?: number;
  /** A used isolate that cannot produce a fresh context within this time is disposed (default 250 ms). */
  readonly recycleTimeoutMs?: number;
  /**
   * Called if V8 loses control of an isolate (isolated-vm's `onCatastrophicError`): the process
   * should stop taking work and exit.
   */
  readonly onCatastrophicError?: (message: string) => void;
}

/**
 * Runs compiled runbooks in isolated-vm isolates (the `RunbookSandbox` port).
 *
 * Each execution runs in a fresh V8 context with only ECMAScript built-ins (no `require`,
 * `process`, timers, network or file system) plus the frozen `ctx`, and
 * `console.log/info/debug/warn/error/trace` writing to `ctx.log`. `FinalizationRegistry`,
 * `Atomics`, `SharedArrayBuffer` and `WebAssembly` are removed. No isolated-vm object is
 * reachable from the guest: host functions live in a bootstrap closure and every value crosses
 * as a string (JSON), re-validated by the host.
 *
 * Limits: `limits.timeoutMs` is wall-clock for the whole execution (sync loops and awaited
 * promises; the isolate is disposed when it expires → `timed_out`, `TimeoutError`);
 * `limits.memoryMiB` is the isolate heap (min 8; exceeded → `failed`, `MemoryLimitError`);
 * logs, result and error texts are capped by {@link OutputLimits}.
 *
 * Results and log fields are JSON without keys `__proto__`, `constructor`, `prototype` or
 * starting with `$` (so nothing can reach a prototype or act as a database operator), nested
 * at most `maxJsonDepth` levels.
 *
 * Errors are mapped through the source map to the runbook's TypeScript: `location` is the
 * innermost frame in the runbook's files, the message ends with ` (at index.ts:12:7)`, and the
 * stack only names the runbook's files.
 */
export class IsolateSandbox implements RunbookSandbox {
  private readonly limits: OutputLimits;
  private readonly pool: IsolatePool;
  private readonly running = new Set<Execution>();
  private readonly sourceMaps = new WeakMap<CompiledRunbook, TraceMap | null>();
  private disposed = false;

  constructor(options: IsolateSandboxOptions = {}) {
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...options.limits };
    this.pool = new IsolatePool({
      maxUses: Math.max(1, options.maxUsesPerIsolate ?? 100),
      maxIdle: Math.max(0, options.maxIdleIsolates ?? 4),
      recycleTimeoutMs: options.recycleTimeoutMs ?? 250,
      ...(options.onCatastrophicError === undefined ? {} : { onCatastrophicError: options.onCatastrophicError }),
    });
  }

  /**
   * Runs one execution. Resolves with its outcome (a runbook's failure is an outcome, never a
   * rejection). Rejects only for a bad request (limits not positive numbers) or after
   * {@link dispose}.
   */
  async run(request: SandboxRequest): Promise<SandboxOutcome> {
    if (this.disposed) throw new Error('IsolateSandbox.run: the sandbox was disposed');
    const { timeoutMs, memoryMiB } = request.limits;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`limits.timeoutMs must be a positive number, got ${timeoutMs}`);
    if (!(Number.isFinite(memoryMiB) && memoryMiB > 0)) throw new RangeError(`limits.memoryMiB must be a positive number, got ${memoryMiB}`);
    const execution = new Execution(request, this.limits, this.pool, () => this.sourceMapFor(request.compiled));
    this.running.add(execution);
    try {
      return await execution.run();
    } finally {
      this.running.delete(execution);
    }
  }

  /** Ends running executions (`failed`, `InterruptedError`) and disposes every isolate. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const execution of this.running) execution.stop('interrupted');
    await this.pool.close();
  }

  /** Isolates alive right now (idle or running); for tests and metrics. */
  get isolateCount(): number {
    return this.pool.size;
  }

  private sourceMapFor(compiled: CompiledRunbook): TraceMap | null {
    let map = this.sourceMaps.get(compiled);
    if (map === undefined) {
      map = parseSourceMap(compiled.sourceMap);
      this.sourceMaps.set(compiled, map);
    }
    return map;
  }
}

type StopCause = 'timeout' | 'interrupted';

class Stopped extends Error {}

/** One run of one runbook: owns its watchdog, log accounting and isolate slot. */
class Execution {
  private slot: IsolateSlot | null = null;
  private cause: StopCause | null = null;
  private ended = false;
  private onStop: (outcome: SandboxOutcome) => void = () => undefined;
  private logLines = 0;
  private logBytes = 0;
  private logFull = false;
  private readonly memoryMiB: number;

  constructor(
    private readonly request: SandboxRequest,
    private readonly limits: OutputLimits,
    private readonly pool: IsolatePool,
    private readonly sourceMap: () => TraceMap | null,
  ) {
    this.memoryMiB = Math.max(MIN_MEMORY_MIB, Math.ceil(request.limits.memoryMiB));
  }

  async run(): Promise<SandboxOutcome> {
    const { timeoutMs } = this.request.limits;
    const deadline = performance.now() + timeoutMs;
    const stopped = new Promise<SandboxOutcome>((resolve) => (this.onStop = resolve));
    const watchdog = setTimeout(() => this.stop('timeout'), timeoutMs);
    try {
      return await Promise.race([this.work(deadline), stopped]);
    } finally {
      clearTimeout(watchdog);
      this.ended = true;
    }
  }

  /** Ends the execution now: disposes its isolate (which ends any code running in it). */
  stop(cause: StopCause): void {
    if (this.ended || this.cause !== null) return;
    this.cause = cause;
    if (this.slot !== null) this.pool.kill(this.slot.isolate);
    this.onStop(cause === 'timeout' ? this.timeoutOutcome() : interruptedOutcome());
  }

  private async work(deadline: number): Promise<SandboxOutcome> {
    let healthy = false;
    try {
      this.slot = await this.pool.acquire(this.memoryMiB);
      this.throwIfStopped();
      const { isolate, context } = this.slot;
      const { compiled } = this.request;
      const hostLog = new ivm.Callback(this.onGuestLog);
      const start = (await context.evalClosure(BOOTSTRAP_SOURCE, [hostLog, JSON.stringify(this.bootstrapInput())], {
        filename: BOOTSTRAP_FILENAME,
        timeout: remaining(deadline),
        result: { reference: true },
      })) as ivm.Reference<() => Promise<string>>;
      this.throwIfStopped();
      const script = await isolate.compileScript(wrapScript(compiled.code), { filename: compiled.filename, lineOffset: -1 });
      this.throwIfStopped();
      await script.run(context, { timeout: remaining(deadline), release: true });
      this.throwIfStopped();
      const out: unknown = await start.apply(undefined, [], { timeout: remaining(deadline), result: { promise: true, copy: true } });
      releaseQuietly(start);
      this.throwIfStopped();
      const outcome = this.interpret(out);
      healthy = true;
      return outcome;
    } catch (error) {
      return this.classify(error);
    } finally {
      if (this.slot !== null) this.pool.release(this.slot, healthy && this.cause === null);
    }
  }

  private throwIfStopped(): void {
    if (this.cause !== null) throw new Stopped();
  }

  private bootstrapInput(): BootstrapInput {
    const { request, limits } = this;
    return {
      event: guestEvent(request.event),
      runbook: { name: String(request.runbook.name), version: String(request.runbook.version) },
      env: String(request.env),
      brandKey: RUNBOOK_BRAND_KEY,
      limits: {
        messageMaxChars: limits.maxLogMessageChars,
        fieldsMaxBytes: limits.maxLogFieldsBytes,
        resultMaxBytes: limits.maxResultBytes,
        errorTextMaxChars: limits.maxErrorTextChars,
      },
    };
  }

  // ---- logs ----

  /**
   * The host end of `ctx.log.*`, called synchronously by the guest. It must never throw:
   * isolated-vm would copy the host error, stack and host paths included, into the guest.
   */
  private readonly onGuestLog = (level: unknown, message: unknown, fields: unknown): boolean => {
    try {
      return this.acceptLog(level, message, fields);
    } catch {
      return false;
    }
  };

  /** Validates, caps and delivers one line; `false` tells the guest to stop logging. */
  private acceptLog(level: unknown, message: unknown, fields: unknown): boolean {
    if (this.ended || this.cause !== null || this.logFull) return false;
    if (!isLogLevel(level) || typeof message !== 'string' || (fields !== null && typeof fields !== 'string')) return true;
    const { maxLogMessageChars, maxLogFieldsBytes, maxLogLines, maxLogBytes, maxJsonDepth } = this.limits;
    let text = message.length > maxLogMessageChars ? `${message.slice(0, maxLogMessageChars)}… [truncated]` : message;
    let fieldsJson = fields;
    if (fieldsJson !== null && Buffer.byteLength(fieldsJson) > maxLogFieldsBytes) {
      fieldsJson = null;
      text += ` [fields dropped: more than ${maxLogFieldsBytes} bytes of JSON]`;
    }
    const bytes = Buffer.byteLength(text) + (fieldsJson === null ? 0 : Buffer.byteLength(fieldsJson));
    if (this.logLines >= maxLogLines || this.logBytes + bytes > maxLogBytes) {
      this.logFull = true;
      this.deliver(
        'warn',
        `log truncated: an execution keeps at most ${maxLogLines} lines and ${formatBytes(maxLogBytes)} of log; later lines were dropped`,
        { keptLines: this.logLines, keptBytes: this.logBytes },
      );
      return false;
    }
    this.logLines += 1;
    this.logBytes += bytes;
    let parsed: Readonly<Record<string, unknown>> | null = null;
    if (fieldsJson !== null) {
      const r = parseSanitizedJson(fieldsJson, maxJsonDepth, 'truncate');
      if (r.ok) parsed = isPlainObject(r.value) ? r.value : { value: r.value };
    }
    this.deliver(level, text, parsed);
    return true;
  }

  private deliver(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> | null): void {
    try {
      this.request.onLog({ ts: new Date().toISOString(), level, message, fields });
    } catch {
      // The host's log sink failed: not the runbook's doing, and nothing may be thrown into the guest.
    }
  }

  // ---- outcomes ----

  /** Turns `start()`'s answer (`ok:<json>` / `err:<record>`) into an outcome, trusting nothing. */
  private interpret(out: unknown): SandboxOutcome {
    const { maxResultBytes, maxJsonDepth } = this.limits;
    if (typeof out === 'string' && out.startsWith('ok:')) {
      const json = out.slice(3);
      const bytes = Buffer.byteLength(json);
      if (bytes > maxResultBytes) {
        return failed(limitError('ResultLimitError', `the result is ${bytes} bytes of JSON, over the ${maxResultBytes}-byte limit — return a summary and log the details`, 'result'));
      }
      const r = parseSanitizedJson(json, maxJsonDepth, 'fail');
      if (!r.ok) return failed(limitError('ResultLimitError', `the result is ${r.reason} — return something flatter`, 'result'));
      return { status: 'succeeded', result: r.value };
    }
    if (typeof out === 'string' && out.startsWith('err:')) {
      const record = guestErrorRecord(out.slice(4), this.limits.maxErrorTextChars);
      if (record !== null) return failed(this.toExecutionError(record));
    }
    return failed(limitError('SandboxError', 'the runbook ended without a readable outcome (did it tamper with the sandbox?)', null));
  }

  /** An exception from isolated-vm itself (the guest's own errors are handled inside the isolate). */
  private classify(error: unknown): SandboxOutcome {
    if (this.cause === 'timeout') return this.timeoutOutcome();
    if (this.cause === 'interrupted') return interruptedOutcome();
    const message = hostErrorMessage(error);
    if (/Script execution timed out/i.test(message)) return this.timeoutOutcome();
    if (/memory limit/i.test(message) || (this.slot !== null && this.slot.isolate.isDisposed)) {
      return failed(
        limitError('MemoryLimitError', `the runbook exceeded the ${this.request.limits.memoryMiB} MiB memory limit set in runbook.yaml`, 'memory'),
      );
    }
    const name = error instanceof Error && /^[A-Za-z]*Error$/.test(error.name) ? error.name : 'Error';
    return failed(limitError(name, cut(message, this.limits.maxErrorTextChars), null));
  }

  private timeoutOutcome(): SandboxOutcome {
    return {
      status: 'timed_out',
      error: limitError('TimeoutError', `the runbook exceeded the ${formatDuration(this.request.limits.timeoutMs)} timeout set in runbook.yaml`, 'timeout'),
    };
  }

  private toExecutionError(record: GuestErrorRecord): ExecutionError {
    const { compiled } = this.request;
    const { frames, location } = mapStack(record.stack, compiled.filename, this.sourceMap());
    const at = location === null ? '' : ` (at ${location.file}:${location.line}:${location.column})`;
    return {
      name: record.name,
      message: `${record.message}${at}`,
      stack: frames.length === 0 ? null : [`${record.name}: ${record.message}`, ...frames.map((f) => `    at ${f}`)].join('\n'),
      location,
      limit: record.limit,
    };
  }
}

// ---- helpers ----

function releaseQuietly(reference: ivm.Reference<unknown>): void {
  try {
    reference.release();
  } catch {
    // gone with its isolate
  }
}

function remaining(deadline: number): number {
  return Math.max(1, Math.ceil(deadline - performance.now()));
}

function failed(error: ExecutionError): SandboxOutcome {
  return { status: 'failed', error };
}

function limitError(name: string, message: string, limit: string | null): ExecutionError {
  return { name, message, stack: null, location: null, limit };
}

function interruptedOutcome(): SandboxOutcome {
  return failed(limitError('InterruptedError', 'the execution was interrupted: the sandbox is shutting down', null));
}

function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… [truncated]` : s;
}

/** The message of an error isolated-vm raised on the host (never its stack: that has host paths). */
function hostErrorMessage(error: unknown): string {
  if (error instanceof Stopped) return 'stopped';
  if (error instanceof Error) return typeof error.message === 'string' ? error.message : 'unknown error';
  return typeof error === 'string' ? error : 'unknown error';
}

/** Parses and re-validates the error record the guest reported. */
function guestErrorRecord(json: string, maxChars: number): GuestErrorRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isPlainObject(raw)) return null;
  const name = typeof raw['name'] === 'string' && raw['name'] !== '' ? cut(raw['name'], 200) : 'Error';
  const message = typeof raw['message'] === 'string' ? cut(raw['message'], maxChars) : '';
  const stack = typeof raw['stack'] === 'string' ? cut(raw['stack'], maxChars * 4) : null;
  // The guest may only report the one limit it enforces itself.
  const limit = raw['limit'] === 'result' ? 'result' : null;
  return { name, message, stack, limit };
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(v)) for (const [k, s] of Object.entries(v)) if (typeof s === 'string' && k !== '__proto__') out[k] = s;
  return out;
}

/** `ctx.event`: exactly the SandboxEvent fields (nothing else the host object may carry). */
function guestEvent(event: SandboxEvent | null): SandboxEvent {
  if (event === null) {
    return {
      id: '',
      source: 'manual',
      fingerprint: '',
      labels: {},
      annotations: {},
      status: 'firing',
      startsAt: null,
      endsAt: null,
      receivedAt: new Date().toISOString(),
    };
  }
  return {
    id: String(event.id),
    source: String(event.source),
    fingerprint: String(event.fingerprint),
    labels: stringRecord(event.labels),
    annotations: stringRecord(event.annotations),
    status: event.status === 'resolved' ? 'resolved' : 'firing',
    startsAt: typeof event.startsAt === 'string' ? event.startsAt : null,
    endsAt: typeof event.endsAt === 'string' ? event.endsAt : null,
    receivedAt: String(event.receivedAt),
  };
}
