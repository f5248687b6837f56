import { Buffer } from 'node:buffer';
import ivm from 'isolated-vm';
import type { TraceMap } from '@jridgewell/trace-mapping';
import {
  CapabilityError,
  LOG_LEVELS,
  type CapabilityCall,
  type CompiledRunbook,
  type ExecutionError,
  type LogLevel,
  type RunbookSandbox,
  type SandboxEvent,
  type SandboxOutcome,
  type SandboxRequest,
  type SandboxStep,
} from '@wolfe/application';
import { RUNBOOK_BRAND_KEY } from '@wolfe/sdk';
import { BOOTSTRAP_FILENAME, BOOTSTRAP_SOURCE, wrapScript, type BootstrapInput, type GuestErrorRecord } from './bootstrap';
import { apiName, isCallOp, performCall } from './calls';
import { parseSanitizedJson } from './json';
import { DEFAULT_OUTPUT_LIMITS, MIN_MEMORY_MIB, cutUtf8, formatBytes, formatDuration, type OutputLimits } from './limits';
import { IsolatePool, type IsolateSlot } from './pool';
import { Redactor } from './redact';
import { mapStack, parseSourceMap } from './stack';

export interface IsolateSandboxOptions {
  /** Log, step, attachment, host-call, result and error caps; see {@link DEFAULT_OUTPUT_LIMITS}. */
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
   * Called if V8 loses control of an isolate in a way the sandbox cannot contain (isolated-vm's
   * `onCatastrophicError`): the process should stop taking work and exit. Without it the
   * process aborts.
   *
   * A V8 out-of-memory error that isolated-vm cannot turn into a memory-limit error (e.g. a
   * Map or Set outgrowing the heap) is contained: the execution fails with `MemoryLimitError`
   * and its isolate is abandoned (its memory and one parked thread are lost until the process
   * restarts). Only after more than `maxLostIsolates` of those is this called.
   */
  readonly onCatastrophicError?: (message: string) => void;
  /** Isolates lost to unrecoverable out-of-memory errors tolerated before `onCatastrophicError` (default 4). */
  readonly maxLostIsolates?: number;
}

/**
 * Runs compiled runbooks in isolated-vm isolates (the `RunbookSandbox` port).
 *
 * Each execution runs in a fresh V8 context with only ECMAScript built-ins (no `require`,
 * `process`, timers, network or file system) plus the frozen `ctx` (`event`, `params`, `log`,
 * `runbook`, `env`, `step`, `sleep`, `attach`), and `console.log/info/debug/warn/error/trace`
 * writing to `ctx.log`. `FinalizationRegistry`, `Atomics`, `SharedArrayBuffer` and
 * `WebAssembly` are removed. No isolated-vm object is reachable from the guest: the one host
 * function lives in a bootstrap closure, only primitives cross, and the host re-validates
 * every one of them.
 *
 * Limits: `limits.timeoutMs` is wall-clock for the whole execution (sync loops, awaited
 * promises, `ctx.sleep`; the isolate is disposed when it expires → `timed_out`, `TimeoutError`);
 * `limits.cpuTimeMs` (default = the timeout) is the isolate's CPU time (→ `timed_out`,
 * `limit: 'cpu'`); `limits.memoryMiB` is the isolate heap (min 8; exceeded → `failed`,
 * `MemoryLimitError`); calls to the host are counted (→ `failed`, `limit: 'host_calls'`); logs,
 * steps, attachments, result and error texts are capped by {@link OutputLimits}.
 *
 * Results, log fields and attachments are JSON without keys `__proto__`, `constructor`,
 * `prototype` or starting with `$` (so nothing can reach a prototype or act as a database
 * operator), nested at most `maxJsonDepth` levels.
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
      maxLostIsolates: Math.max(0, options.maxLostIsolates ?? 4),
      onIsolateLost: (isolate) => {
        for (const execution of this.running) execution.isolateLost(isolate);
      },
      ...(options.onCatastrophicError === undefined ? {} : { onCatastrophicError: options.onCatastrophicError }),
    });
  }

  /**
   * Runs one execution. Resolves with its outcome (a runbook's failure is an outcome, never a
   * rejection). Rejects only for a bad request (limits not positive numbers, `params` not a
   * JSON object within `maxParamsBytes`) or after {@link dispose}.
   */
  async run(request: SandboxRequest): Promise<SandboxOutcome> {
    if (this.disposed) throw new Error('IsolateSandbox.run: the sandbox was disposed');
    const { timeoutMs, memoryMiB, cpuTimeMs } = request.limits;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new RangeError(`limits.timeoutMs must be a positive number, got ${timeoutMs}`);
    if (!(Number.isFinite(memoryMiB) && memoryMiB > 0)) throw new RangeError(`limits.memoryMiB must be a positive number, got ${memoryMiB}`);
    if (cpuTimeMs !== undefined && !(Number.isFinite(cpuTimeMs) && cpuTimeMs > 0)) throw new RangeError(`limits.cpuTimeMs must be a positive number, got ${cpuTimeMs}`);
    const params = guestParams(request.params, this.limits);
    const execution = new Execution(request, params, this.limits, this.pool, () => this.sourceMapFor(request.compiled));
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
    for (const execution of this.running) execution.interrupt();
    await this.pool.close();
  }

  /** Isolates alive right now (idle or running); for tests and metrics. */
  get isolateCount(): number {
    return this.pool.size;
  }

  /** Isolates abandoned after an unrecoverable out-of-memory error (see `onCatastrophicError`); for metrics. */
  get lostIsolateCount(): number {
    return this.pool.lostCount;
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

/** Thrown inside `work()` when the execution already ended (a limit or an interruption). */
class Stopped extends Error {}

interface RunningStep {
  readonly seq: number;
  readonly name: string;
  readonly startedAt: string;
}

type Control = ivm.Reference<(op: string, id?: number, ok?: boolean, text?: string) => unknown>;

/**
 * One run of one runbook: owns its watchdogs, the host side of `ctx` (log, steps, attachments,
 * sleeps, the host-call count) and its isolate slot.
 *
 * It ends exactly once ({@link finish}): with the runbook's own outcome, or earlier when a
 * limit or an interruption stops it — then its isolate is disposed at once (which ends any
 * code still running in it) and never reused.
 */
class Execution {
  private slot: IsolateSlot | null = null;
  private control: Control | null = null;
  private outcome: SandboxOutcome | null = null;
  /** The host ended the execution before the runbook did: its isolate is killed. */
  private killed = false;
  private resolveOutcome: (outcome: SandboxOutcome) => void = () => undefined;
  private readonly deadline: number;
  private wallTimer: NodeJS.Timeout | undefined;
  private cpuTimer: NodeJS.Timeout | undefined;
  private readonly sleepTimers = new Set<NodeJS.Timeout>();
  private hostCalls = 0;
  private logLines = 0;
  private logBytes = 0;
  private logFull = false;
  private stepsRecorded = 0;
  private stepsFull = false;
  private readonly runningSteps = new Map<number, RunningStep>();
  private attachments = 0;
  private attachmentBytes = 0;
  private readonly memoryMiB: number;
  /** The secrets this execution read: redacted from everything it produces. */
  private readonly redactor = new Redactor();
  /** Aborted when the execution ends: capability calls still in flight stop. */
  private readonly aborted = new AbortController();
  /** Asynchronous calls started and not settled yet. */
  private readonly pendingCalls = new Set<number>();

  constructor(
    private readonly request: SandboxRequest,
    private readonly params: Record<string, unknown>,
    private readonly limits: OutputLimits,
    private readonly pool: IsolatePool,
    private readonly sourceMap: () => TraceMap | null,
  ) {
    this.memoryMiB = Math.max(MIN_MEMORY_MIB, Math.ceil(request.limits.memoryMiB));
    this.deadline = performance.now() + request.limits.timeoutMs;
  }

  run(): Promise<SandboxOutcome> {
    const ended = new Promise<SandboxOutcome>((resolve) => (this.resolveOutcome = resolve));
    this.wallTimer = setTimeout(() => this.stop(this.timeoutOutcome()), this.request.limits.timeoutMs);
    void this.work();
    return ended;
  }

  /** V8 gave up on `isolate` (an unrecoverable out-of-memory error): if it is this execution's, it failed. */
  isolateLost(isolate: ivm.Isolate): void {
    if (this.slot?.isolate !== isolate) return;
    this.stop(failed(limitError('MemoryLimitError', `the runbook exceeded the ${this.request.limits.memoryMiB} MiB memory limit set in runbook.yaml`, 'memory')));
  }

  /** The sandbox is shutting down. */
  interrupt(): void {
    this.stop(failed(limitError('InterruptedError', 'the execution was interrupted: the sandbox is shutting down', null)));
  }

  /** Ends the execution now with `outcome` and disposes its isolate (which ends any code running in it). */
  private stop(outcome: SandboxOutcome): void {
    this.finish(outcome, true);
  }

  /** The one way an execution ends: first call wins. */
  private finish(outcome: SandboxOutcome, kill: boolean): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    clearTimeout(this.wallTimer);
    clearTimeout(this.cpuTimer);
    for (const timer of this.sleepTimers) clearTimeout(timer);
    this.sleepTimers.clear();
    this.pendingCalls.clear();
    this.aborted.abort();
    if (kill) {
      this.killed = true;
      if (this.slot !== null) this.pool.kill(this.slot.isolate);
    }
    // Steps the runbook never finished (not awaited, or cut short by a limit).
    const finishedAt = new Date().toISOString();
    for (const step of this.runningSteps.values()) {
      this.emitStep({
        ...step,
        status: 'failed',
        finishedAt,
        output: null,
        error: `the execution ended (${outcome.status === 'succeeded' ? 'succeeded' : outcome.error.name}) before this step finished`,
      });
    }
    this.runningSteps.clear();
    this.resolveOutcome(outcome);
  }

  private async work(): Promise<void> {
    let healthy = false;
    try {
      this.slot = await this.pool.acquire(this.memoryMiB);
      this.throwIfEnded();
      const { isolate, context } = this.slot;
      const scripts = scriptsOf(isolate);
      scripts.bootstrap ??= await compileCached(isolate, BOOTSTRAP_FACTORY, { filename: BOOTSTRAP_FILENAME }, BOOTSTRAP_KEY);
      const runbookScript = scripts.runbooks.get(this.request.compiled) ?? (await compileRunbookScript(isolate, this.request.compiled, scripts));
      this.throwIfEnded();
      this.armCpuWatchdog(isolate);
      // The bootstrap is Wolfe's own code in a context no runbook code has run in yet: it runs
      // synchronously (no thread hop, bounded work). Runbook code only ever runs asynchronously,
      // on the isolate's thread, under the watchdogs.
      const factory = scripts.bootstrap.runSync(context, { reference: true }) as ivm.Reference<(host: unknown, input: string) => unknown>;
      try {
        this.control = factory.applySync(undefined, [new ivm.Callback(this.onHost), JSON.stringify(this.bootstrapInput())], { result: { reference: true } }) as Control;
      } finally {
        releaseQuietly(factory);
      }
      // Queued on the isolate, in order: the script (its top level) then start(). A script that
      // never finishes loading holds start() back until the wall clock disposes the isolate.
      runbookScript.runIgnored(context);
      const out: unknown = await this.control.apply(undefined, ['start'], { timeout: remaining(this.deadline), result: { promise: true, copy: true } });
      this.throwIfEnded();
      this.finish(this.interpret(out), false);
      healthy = true;
    } catch (error) {
      if (!(error instanceof Stopped)) this.finish(this.classify(error), true);
    } finally {
      if (this.control !== null) releaseQuietly(this.control);
      this.control = null;
      if (this.slot !== null) this.pool.release(this.slot, healthy && !this.killed);
    }
  }

  private throwIfEnded(): void {
    if (this.outcome !== null) throw new Stopped();
  }

  private bootstrapInput(): BootstrapInput {
    const { request, limits } = this;
    return {
      event: guestEvent(request.event),
      params: this.params,
      runbook: { name: String(request.runbook.name), version: String(request.runbook.version) },
      env: String(request.env),
      brandKey: RUNBOOK_BRAND_KEY,
      limits: {
        messageMaxChars: limits.maxLogMessageChars,
        fieldsMaxBytes: limits.maxLogFieldsBytes,
        resultMaxBytes: limits.maxResultBytes,
        errorTextMaxChars: limits.maxErrorTextChars,
        stepNameMaxChars: limits.maxStepNameChars,
        stepOutputMaxBytes: limits.maxStepOutputBytes,
        attachmentMaxBytes: limits.maxAttachmentBytes,
      },
    };
  }

  // ---- watchdogs ----

  /**
   * CPU time: `isolate.cpuTime` only grows while the isolate runs (an isolate serves one
   * execution at a time), and never faster than the wall clock, so the next check is due
   * no earlier than the CPU time left. Not armed when the wall clock would end it first.
   */
  private armCpuWatchdog(isolate: ivm.Isolate): void {
    const { cpuTimeMs, timeoutMs } = this.request.limits;
    if (cpuTimeMs === undefined || cpuTimeMs >= timeoutMs) return;
    const start = isolate.cpuTime;
    const check = (): void => {
      if (this.outcome !== null || isolate.isDisposed) return;
      const usedMs = Number(isolate.cpuTime - start) / 1e6;
      if (usedMs >= cpuTimeMs) {
        this.stop({
          status: 'timed_out',
          error: limitError('CpuTimeLimitError', `the runbook used more than ${formatDuration(cpuTimeMs)} of CPU time (its CPU limit)`, 'cpu'),
        });
        return;
      }
      this.cpuTimer = setTimeout(check, Math.max(5, cpuTimeMs - usedMs));
    };
    this.cpuTimer = setTimeout(check, cpuTimeMs);
  }

  // ---- the host function ----

  /**
   * The host end of `ctx` (see `HostOp` in bootstrap.ts), called synchronously by the guest
   * with primitives only. It must never throw: isolated-vm would copy the host error, stack
   * and host paths included, into the guest. Every call counts against `maxHostCalls`.
   */
  private readonly onHost = (op: unknown, a: unknown, b: unknown, c: unknown, d: unknown): string | number | boolean => {
    try {
      if (this.outcome !== null) return false;
      this.hostCalls += 1;
      if (this.hostCalls > this.limits.maxHostCalls) {
        this.stop(
          failed(
            limitError(
              'HostCallLimitError',
              `the runbook made more than ${this.limits.maxHostCalls} calls to ctx (log lines, steps, attachments, sleeps, secrets, state, http, emit, prometheus) — batch the work, or log a summary`,
              'host_calls',
            ),
          ),
        );
        return false;
      }
      switch (op) {
        case 'log':
          return this.acceptLog(a, b, c);
        case 'step':
          return this.stepStarted(a);
        case 'step-end':
          return this.stepEnded(a, b, c, d);
        case 'attach':
          return this.acceptAttachment(a, b);
        case 'sleep':
          return this.sleep(a, b);
        case 'call':
          return this.startCall(a, b, c);
        default:
          return false;
      }
    } catch {
      return false;
    }
  };

  // ---- logs ----

  /** Validates, caps and delivers one line; `false` tells the guest to stop logging. */
  private acceptLog(level: unknown, message: unknown, fields: unknown): boolean {
    if (this.logFull) return false;
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
      if (r.ok) {
        const value = this.redactor.json(r.value);
        parsed = isPlainObject(value) ? value : { value };
      }
    }
    this.deliver(level, this.redactor.text(text), parsed);
    return true;
  }

  private deliver(level: LogLevel, message: string, fields: Readonly<Record<string, unknown>> | null): void {
    try {
      this.request.onLog({ ts: new Date().toISOString(), level, message, fields });
    } catch {
      // The host's log sink failed: not the runbook's doing, and nothing may be thrown into the guest.
    }
  }

  // ---- steps ----

  /** `ctx.step` started: its seq, or -1 when it is not recorded (over `maxSteps`). */
  private stepStarted(name: unknown): number {
    if (typeof name !== 'string' || name === '') return -1;
    const { maxSteps, maxStepNameChars } = this.limits;
    if (this.stepsRecorded >= maxSteps) {
      if (!this.stepsFull && !this.logFull) {
        this.deliver('warn', `step limit: an execution records at most ${maxSteps} steps; later steps still ran but were not recorded`, null);
      }
      this.stepsFull = true;
      return -1;
    }
    const step: RunningStep = {
      seq: this.stepsRecorded,
      name: this.redactor.text(name.length > maxStepNameChars ? `${name.slice(0, maxStepNameChars)}…` : name),
      startedAt: new Date().toISOString(),
    };
    this.stepsRecorded += 1;
    this.runningSteps.set(step.seq, step);
    this.emitStep({ ...step, status: 'running', finishedAt: null, output: null, error: null });
    return step.seq;
  }

  private stepEnded(seq: unknown, status: unknown, output: unknown, error: unknown): boolean {
    if (typeof seq !== 'number') return false;
    const step = this.runningSteps.get(seq);
    if (step === undefined) return false;
    this.runningSteps.delete(seq);
    const max = this.limits.maxStepOutputBytes;
    const ok = status === 'succeeded';
    this.emitStep({
      ...step,
      status: ok ? 'succeeded' : 'failed',
      finishedAt: new Date().toISOString(),
      output: ok && typeof output === 'string' ? this.redactor.text(cutUtf8(output, max)) : null,
      error: ok ? null : typeof error === 'string' ? this.redactor.text(cutUtf8(error, max)) : 'failed',
    });
    return true;
  }

  private emitStep(step: SandboxStep): void {
    try {
      this.request.onStep?.(step);
    } catch {
      // The host's step sink failed: nothing may be thrown into the guest.
    }
  }

  // ---- attachments ----

  /** `''` when kept; otherwise why not (the guest throws it as a RangeError). */
  private acceptAttachment(name: unknown, json: unknown): string {
    if (typeof name !== 'string' || name === '' || typeof json !== 'string') return 'ctx.attach(name, data): name must be a non-empty string and data JSON';
    const { maxAttachments, maxAttachmentBytes, maxAttachmentsBytes, maxJsonDepth, maxStepNameChars } = this.limits;
    const shown = JSON.stringify(name.slice(0, 100));
    if (this.attachments >= maxAttachments) return `ctx.attach: an execution keeps at most ${maxAttachments} attachments; ${shown} was not kept`;
    const bytes = Buffer.byteLength(json);
    if (bytes > maxAttachmentBytes) return `ctx.attach: ${shown} is ${bytes} bytes of JSON, over the ${maxAttachmentBytes}-byte limit per attachment`;
    if (this.attachmentBytes + bytes > maxAttachmentsBytes) {
      return `ctx.attach: ${shown} (${bytes} bytes) would take this execution's attachments over ${formatBytes(maxAttachmentsBytes)}; it was not kept`;
    }
    const r = parseSanitizedJson(json, maxJsonDepth, 'truncate');
    if (!r.ok) return `ctx.attach: ${shown} is ${r.reason}`;
    this.attachments += 1;
    this.attachmentBytes += bytes;
    try {
      this.request.onAttach?.({
        name: this.redactor.text(name.length > maxStepNameChars ? `${name.slice(0, maxStepNameChars)}…` : name),
        contentType: 'application/json',
        data: JSON.stringify(this.redactor.json(r.value)),
      });
    } catch {
      // The host's attachment sink failed: nothing may be thrown into the guest.
    }
    return '';
  }

  // ---- sleeps ----

  /**
   * `ctx.sleep(ms)`: a host timer that wakes the guest through `control('wake', id)`. A sleep
   * that would outlast the timeout ends the execution now (`timed_out`) instead of waiting for it.
   */
  private sleep(id: unknown, ms: unknown): boolean {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof ms !== 'number' || !(ms >= 0)) return false;
    const left = this.deadline - performance.now();
    if (ms > left) {
      const asked = ms >= 1e300 ? 'Infinity' : String(Math.round(ms));
      this.stop({
        status: 'timed_out',
        error: limitError(
          'TimeoutError',
          `ctx.sleep(${asked}) would end after the ${formatDuration(this.request.limits.timeoutMs)} timeout set in runbook.yaml (${formatDuration(Math.max(0, Math.floor(left)))} left)`,
          'timeout',
        ),
      });
      return false;
    }
    const timer = setTimeout(() => {
      this.sleepTimers.delete(timer);
      this.wake(id);
    }, ms);
    this.sleepTimers.add(timer);
    return true;
  }

  private wake(id: number): void {
    const control = this.control;
    if (control === null || this.outcome !== null) return;
    control.apply(undefined, ['wake', id], { timeout: remaining(this.deadline) }).catch((error: unknown) => {
      if (this.outcome === null) this.finish(this.classify(error), true);
    });
  }

  // ---- asynchronous calls (ctx.secrets, ctx.state, ctx.http, ctx.emit, ctx.prometheus) ----

  /**
   * `call(id, op, argsJson)`: starts the capability call and later settles the guest's promise
   * through `control('settle', id, ok, text)`. Answers `true` when started, or the JSON
   * `{ name, message }` of the error the guest's promise rejects with at once. The call is
   * bounded by the execution: it gets the time left and a signal aborted when the execution ends.
   */
  private startCall(id: unknown, op: unknown, json: unknown): true | string | false {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || this.pendingCalls.has(id)) return false;
    if (!isCallOp(op)) return errorJson('TypeError', 'unknown ctx call');
    const api = apiName(op);
    const { maxCallBytes, maxPendingCalls, maxJsonDepth } = this.limits;
    if (typeof json !== 'string') return errorJson('TypeError', `${api}: the arguments are not JSON`);
    if (Buffer.byteLength(json) > maxCallBytes) return errorJson('RangeError', `${api}: the arguments are more than ${formatBytes(maxCallBytes)} of JSON`);
    if (this.pendingCalls.size >= maxPendingCalls) {
      return errorJson('RangeError', `${api}: at most ${maxPendingCalls} calls (secrets, state, http, emit, prometheus) may be in flight at once; await some before starting more`);
    }
    const parsed = parseSanitizedJson(json, maxJsonDepth, 'fail');
    if (!parsed.ok) return errorJson('TypeError', `${api}: the arguments are ${parsed.reason}`);
    const call: CapabilityCall = { signal: this.aborted.signal, timeoutMs: Math.max(0, Math.floor(this.deadline - performance.now())) };
    this.pendingCalls.add(id);
    let work: Promise<unknown>;
    try {
      work = performCall(op, parsed.value, this.request.capabilities, call, this.redactor);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(
      (value) => {
        let text: string | undefined;
        try {
          text = JSON.stringify(value ?? null);
        } catch {
          text = undefined;
        }
        if (text === undefined) this.settle(id, false, errorJson('Error', `${api} failed: the platform produced an answer that is not JSON`));
        else if (Buffer.byteLength(text) > this.limits.maxCallResultBytes) this.settle(id, false, errorJson('RangeError', `${api}: the answer is more than ${formatBytes(this.limits.maxCallResultBytes)}`));
        else this.settle(id, true, text);
      },
      (error: unknown) => {
        // Only a capability's own message reaches the runbook; anything else may hold host details.
        if (error instanceof CapabilityError) this.settle(id, false, errorJson(error.name, cut(this.redactor.text(error.message), this.limits.maxErrorTextChars)));
        else if (this.aborted.signal.aborted) this.settle(id, false, errorJson('AbortError', `${api}: the execution ended`));
        else this.settle(id, false, errorJson('Error', `${api} failed: a platform error (see the server log)`));
      },
    );
    return true;
  }

  private settle(id: number, ok: boolean, text: string): void {
    if (!this.pendingCalls.delete(id)) return;
    const control = this.control;
    if (control === null || this.outcome !== null) return;
    control.apply(undefined, ['settle', id, ok, text], { timeout: remaining(this.deadline) }).catch((error: unknown) => {
      if (this.outcome === null) this.finish(this.classify(error), true);
    });
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
      return { status: 'succeeded', result: this.redactor.json(r.value) };
    }
    if (typeof out === 'string' && out.startsWith('err:')) {
      const record = guestErrorRecord(out.slice(4), this.limits.maxErrorTextChars);
      if (record !== null) return failed(this.toExecutionError(record));
    }
    return failed(limitError('SandboxError', 'the runbook ended without a readable outcome (did it tamper with the sandbox?)', null));
  }

  /** An exception from isolated-vm itself (the guest's own errors are handled inside the isolate). */
  private classify(error: unknown): SandboxOutcome {
    if (this.outcome !== null) return this.outcome;
    const message = hostErrorMessage(error);
    if (/Script execution timed out/i.test(message) || performance.now() >= this.deadline - 1) return this.timeoutOutcome();
    if (/memory limit/i.test(message) || (this.slot !== null && this.slot.isolate.isDisposed)) {
      return failed(
        limitError('MemoryLimitError', `the runbook exceeded the ${this.request.limits.memoryMiB} MiB memory limit set in runbook.yaml`, 'memory'),
      );
    }
    const name = hostErrorName(error);
    return failed(limitError(name, cut(message, this.limits.maxErrorTextChars), null));
  }

  private timeoutOutcome(): SandboxOutcome {
    return {
      status: 'timed_out',
      error: limitError('TimeoutError', `the runbook exceeded the ${formatDuration(this.request.limits.timeoutMs)} timeout set in runbook.yaml`, 'timeout'),
    };
  }

  private toExecutionError(guest: GuestErrorRecord): ExecutionError {
    const { compiled } = this.request;
    const record: GuestErrorRecord = { ...guest, name: this.redactor.text(guest.name), message: this.redactor.text(guest.message), stack: this.redactor.textOrNull(guest.stack) };
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

// ---- compiled scripts, per isolate ----

/** The bootstrap as a script whose completion value is the function `(host, input) => control`. */
const BOOTSTRAP_FACTORY = `(function ($0, $1) {${BOOTSTRAP_SOURCE}\n})`;
/** Compiled runbook scripts kept per isolate (a script is immutable code; each run gets its own context). */
const MAX_CACHED_SCRIPTS = 32;

interface IsolateScripts {
  bootstrap: ivm.Script | null;
  readonly runbooks: Map<CompiledRunbook, ivm.Script>;
}

const scriptCache = new WeakMap<ivm.Isolate, IsolateScripts>();

function scriptsOf(isolate: ivm.Isolate): IsolateScripts {
  let scripts = scriptCache.get(isolate);
  if (scripts === undefined) {
    scripts = { bootstrap: null, runbooks: new Map() };
    scriptCache.set(isolate, scripts);
  }
  return scripts;
}

/**
 * V8's code cache of each script, produced by this process when it first compiled the script
 * and consumed when a new isolate compiles it again (never from anywhere else: cached data is
 * machine code V8 trusts).
 */
const codeCache = new WeakMap<object, ivm.ExternalCopy<ArrayBuffer>>();
/** The code cache key of the bootstrap (runbook scripts are keyed by their CompiledRunbook). */
const BOOTSTRAP_KEY = {};

async function compileCached(isolate: ivm.Isolate, source: string, origin: ivm.ScriptOrigin, key: object): Promise<ivm.Script> {
  const cachedData = codeCache.get(key);
  const script: ivm.Script & ivm.CachedDataResult = await isolate.compileScript(source, cachedData === undefined ? { ...origin, produceCachedData: true } : { ...origin, cachedData });
  if (cachedData === undefined && script.cachedData !== undefined) codeCache.set(key, script.cachedData);
  return script;
}

async function compileRunbookScript(isolate: ivm.Isolate, compiled: CompiledRunbook, scripts: IsolateScripts): Promise<ivm.Script> {
  const script = await compileCached(isolate, wrapScript(compiled.code), { filename: compiled.filename, lineOffset: -1 }, compiled);
  if (scripts.runbooks.size >= MAX_CACHED_SCRIPTS) {
    const [oldest] = scripts.runbooks.keys();
    if (oldest !== undefined) {
      releaseQuietly(scripts.runbooks.get(oldest));
      scripts.runbooks.delete(oldest);
    }
  }
  scripts.runbooks.set(compiled, script);
  return script;
}

// ---- helpers ----

function releaseQuietly(reference: { release(): void } | undefined): void {
  try {
    reference?.release();
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

function errorJson(name: string, message: string): string {
  return JSON.stringify({ name, message });
}

function limitError(name: string, message: string, limit: string | null): ExecutionError {
  return { name, message, stack: null, location: null, limit };
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

/**
 * The message of an error isolated-vm raised on the host (never its stack: that has host
 * paths). Duck-typed: the error may come from another realm (isolated-vm, a test runner's vm).
 */
function hostErrorMessage(error: unknown): string {
  if (error instanceof Stopped) return 'stopped';
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    try {
      const message = (error as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    } catch {
      // a getter that throws
    }
  }
  return 'unknown error';
}

function hostErrorName(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    try {
      const name = (error as { name?: unknown }).name;
      if (typeof name === 'string' && /^[A-Za-z]{1,40}Error$/.test(name)) return name;
    } catch {
      // a getter that throws
    }
  }
  return 'Error';
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

/**
 * `ctx.params`: a JSON object without unsafe keys, within `maxParamsBytes`. Anything else is a
 * bad request (the platform builds params, the runbook does not).
 */
function guestParams(params: SandboxRequest['params'], limits: OutputLimits): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (!isPlainObject(params)) throw new TypeError('params must be a JSON object');
  let json: string | undefined;
  try {
    json = JSON.stringify(params);
  } catch (error) {
    throw new TypeError(`params must be JSON: ${hostErrorMessage(error)}`);
  }
  if (json === undefined) throw new TypeError('params must be a JSON object');
  if (Buffer.byteLength(json) > limits.maxParamsBytes) throw new RangeError(`params are more than ${formatBytes(limits.maxParamsBytes)} of JSON`);
  const r = parseSanitizedJson(json, limits.maxJsonDepth, 'fail');
  if (!r.ok || !isPlainObject(r.value)) throw new RangeError(`params are ${r.ok ? 'not an object' : r.reason}`);
  return r.value;
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
