import { emitChainOf, isEmitLoop } from './capabilities/emit';
import type { CapabilityFactory } from './capabilities/platform';
import type { RunbookFinder } from './catalog';
import type { AttachmentRecord, ExecutionError, ExecutionRecord, LogRecord, StepRecord, Timestamp } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { RunbookSandbox, SandboxAttachment, SandboxLogEntry, SandboxStep } from './ports/sandbox';
import type { Store } from './ports/store';
import { toSandboxEvent } from './executions';

export interface DispatcherOptions {
  /** Executions running at once in this process. */
  readonly concurrency: number;
  /**
   * How often the buffered log lines, steps and attachments of a running execution are
   * written (ms): a running execution's notebook is visible with at most this delay.
   */
  readonly logFlushMs: number;
  /**
   * How long a claim holds an execution without renewal (ms; default 30 s). The dispatcher
   * renews the leases of its running executions every `leaseMs / 3` and sweeps every
   * `leaseMs / 3` for executions whose lease expired (their process died): those are failed.
   */
  readonly leaseMs?: number;
  /** This Wolfe instance's id, written as the owner of what it claims; default `instanceId()`. */
  readonly owner?: string;
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * `host:pid:random`: one per Wolfe instance (a restarted process is a new owner). The server
 * passes the machine's hostname; the random part tells apart two instances in one process.
 */
export function instanceId(host = 'wolfe'): string {
  return `${host}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

const platformError = (name: string, message: string, limit: string | null = null): ExecutionError => ({
  name,
  message,
  stack: null,
  location: null,
  limit,
});

/**
 * Runs queued executions: claims them from the store (atomically, so several processes
 * can share one store), runs each in the sandbox at the exact version it was queued
 * with, streams its log lines, steps and attachments to the store and records the outcome.
 * Each claim is a lease, renewed while the execution runs: a process that dies stops
 * renewing, and any process's sweep fails its executions once their lease expired.
 */
export class ExecutionDispatcher {
  private running = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private capabilities: CapabilityFactory | null = null;
  /** Ids of the executions running in this dispatcher (their leases are renewed). */
  private readonly mine = new Set<string>();
  private readonly ownerId: string;
  private readonly leaseMs: number;
  private leaseTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    /** Every project's catalog: an execution runs its own project's runbook at its version. */
    private readonly catalog: RunbookFinder,
    private readonly sandbox: RunbookSandbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.ownerId = options.owner ?? instanceId();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 3) throw new Error(`leaseMs must be a whole number of at least 3 ms, got ${String(options.leaseMs)}`);
  }

  /** The owner written on the executions this dispatcher claims. */
  get owner(): string {
    return this.ownerId;
  }

  /**
   * Start-up recovery, then the lease timer. An execution still `running` whose lease expired
   * (its process died or was cut off: nobody renews it) is not re-run (a half-done
   * remediation must not repeat blindly); it is marked failed with the reason, and can be
   * replayed deliberately. Executions other live processes run keep their (renewed) lease and
   * are left alone. After a crash of this very process, its executions are failed by this sweep
   * (or another process's) within one lease period of the crash.
   */
  async recoverInterrupted(): Promise<number> {
    const n = await this.sweepExpired();
    this.startLeaseTimer();
    return n;
  }

  /** Fails the `running` executions whose lease expired; returns how many. */
  async sweepExpired(): Promise<number> {
    let n = 0;
    const now = this.clock.now().toISOString();
    for (const ex of await this.store.executions.listExpired(now, 10_000)) {
      if (this.mine.has(ex.id)) continue; // ours, alive: its renewal was only late
      const finishedAt = this.clock.now().toISOString();
      const who = ex.owner ? `Wolfe instance ${ex.owner}` : 'a Wolfe instance from before leases';
      const until = ex.leaseUntil ? ` (lease expired at ${ex.leaseUntil})` : '';
      const ok = await this.store.executions.finish(ex.id, {
        status: 'failed',
        finishedAt,
        result: null,
        error: platformError(
          'InterruptedError',
          `Wolfe stopped while this execution was running; it was not re-run automatically. ${who} lost it: its lease was not renewed${until}`,
        ),
      });
      if (ok) {
        n += 1;
        this.logger.warn({ executionId: ex.id, owner: ex.owner ?? null, leaseUntil: ex.leaseUntil ?? null }, `execution ${ex.id} interrupted: its owner ${ex.owner ?? '(none)'} stopped renewing its lease`);
      }
      await this.failOpenSteps(ex.id, finishedAt);
    }
    if (n) this.logger.warn({ count: n }, `marked ${n} interrupted execution(s) as failed`);
    return n;
  }

  /** Extends the leases of the executions running here; returns how many were renewed. */
  async renewLeases(): Promise<number> {
    const ids = [...this.mine];
    if (ids.length === 0) return 0;
    const until = new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
    const renewed = await this.store.executions.renewLeases(this.ownerId, ids, until);
    if (renewed < ids.length) {
      this.logger.warn({ owner: this.ownerId, running: ids.length, renewed }, `${ids.length - renewed} execution(s) running here lost their lease (failed by a sweep meanwhile)`);
    }
    return renewed;
  }

  private startLeaseTimer(): void {
    if (this.leaseTimer || this.stopped) return;
    let busy = false;
    this.leaseTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      // Renew first: an execution of ours is never mistaken for an expired one.
      void this.renewLeases()
        .catch((err: unknown) => this.logger.error({ err: String(err) }, 'could not renew the leases of the running executions'))
        .then(() => (this.stopped ? 0 : this.sweepExpired()))
        .catch((err: unknown) => this.logger.error({ err: String(err) }, 'could not sweep the executions with an expired lease'))
        .finally(() => (busy = false));
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    this.leaseTimer.unref();
  }

  /** Its steps that were still `running` when the process stopped are recorded as failed too. */
  private async failOpenSteps(executionId: string, at: Timestamp): Promise<void> {
    try {
      const open = (await this.store.steps.list(executionId)).filter((s) => s.status === 'running');
      if (open.length > 0) await this.store.steps.upsert(open.map((s) => endStep(s, at, INTERRUPTED_STEP)));
    } catch (err) {
      this.logger.warn({ executionId, err: String(err) }, 'could not mark the interrupted steps as failed');
    }
  }

  /**
   * The capabilities (`ctx.secrets`, `ctx.state`, `ctx.http`, `ctx.emit`, `ctx.prometheus`) each
   * execution gets, built per execution; without a factory they are unavailable. Set before start.
   */
  useCapabilities(factory: CapabilityFactory): void {
    this.capabilities = factory;
  }

  /** Claims and starts queued executions while there is capacity. Safe to call often. */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.running < this.options.concurrency) {
      let claimed: ExecutionRecord | null;
      try {
        const now = this.clock.now();
        claimed = await this.store.executions.claimNext(now.toISOString(), this.ownerId, new Date(now.getTime() + this.leaseMs).toISOString());
      } catch (err) {
        this.logger.error({ err: String(err) }, 'could not claim an execution');
        return;
      }
      if (!claimed) return;
      this.running += 1;
      const id = claimed.id;
      this.mine.add(id);
      this.startLeaseTimer(); // renewals run whenever this dispatcher runs something
      const p = this.execute(claimed).finally(() => {
        this.mine.delete(id);
        this.running -= 1;
        this.inFlight.delete(p);
        this.kick();
      });
      this.inFlight.add(p);
    }
  }

  /** Stops claiming and waits for running executions to finish (renewing their leases meanwhile). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
  }

  private async execute(ex: ExecutionRecord): Promise<void> {
    const log = this.logger;
    const journal = new ExecutionJournal(this.store, ex.id, log);
    const timer = setInterval(() => void journal.flush(), this.options.logFlushMs);
    try {
      const runbook = await this.catalog.find(ex.project, ex.env, ex.runbook, ex.version);
      if (!runbook) {
        await this.finishWith(ex, 'failed', null, platformError('RunbookUnavailable', `runbook ${ex.runbook} of project ${ex.project} is not loadable at version ${ex.version} in ${ex.env}`));
        return;
      }
      const event = ex.eventId ? await this.store.events.get(ex.eventId) : null;
      // ctx.emit loops: an event a runbook emitted never starts a runbook already in its chain.
      if (isEmitLoop(event, ex.project, ex.runbook)) {
        const chain = emitChainOf(event).join(' → ');
        await this.finishWith(ex, 'cancelled', null, platformError('EmitLoopError', `not run: event ${ex.eventId ?? ''} was emitted by a chain that already includes this runbook (${chain}); an emitted event never starts a runbook of its own chain`, 'emit'));
        return;
      }
      log.info({ executionId: ex.id, project: ex.project, runbook: ex.runbook, env: ex.env, version: ex.version }, `execution ${ex.id} started`);
      const capabilities = this.capabilities?.({ execution: ex, manifest: runbook.manifest, event });
      const outcome = await this.sandbox.run({
        executionId: ex.id,
        runbook: { name: runbook.name, version: runbook.version },
        env: ex.env,
        compiled: runbook.compiled,
        event: event ? toSandboxEvent(event) : null,
        limits: { timeoutMs: runbook.manifest.timeoutMs, memoryMiB: runbook.manifest.memoryMiB },
        onLog: (entry) => journal.log(entry),
        onStep: (step) => journal.step(step),
        onAttach: (attachment) => journal.attach(attachment),
        ...(capabilities === undefined ? {} : { capabilities }),
      });
      // The sandbox ends every step it started. Should one still be open, it is closed here,
      // before the execution: a step left `running` forever would mislead.
      journal.failOpenSteps(this.clock.now().toISOString(), UNFINISHED_STEP);
      await journal.flush();
      if (outcome.status === 'succeeded') await this.finishWith(ex, 'succeeded', outcome.result, null);
      else await this.finishWith(ex, outcome.status, null, outcome.error);
    } catch (err) {
      log.error({ executionId: ex.id, err: String(err) }, 'execution crashed in the platform');
      journal.failOpenSteps(this.clock.now().toISOString(), UNFINISHED_STEP);
      await journal.flush();
      await this.finishWith(ex, 'failed', null, platformError('PlatformError', `Wolfe failed to run this execution: ${(err as Error).message}`));
    } finally {
      clearInterval(timer);
    }
  }

  private async finishWith(ex: ExecutionRecord, status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled', result: unknown, error: ExecutionError | null): Promise<void> {
    await this.store.executions.finish(ex.id, { status, finishedAt: this.clock.now().toISOString(), result, error });
    this.logger.info({ executionId: ex.id, project: ex.project, runbook: ex.runbook, env: ex.env, status, error: error?.message }, `execution ${ex.id} ${status}`);
  }
}


const INTERRUPTED_STEP = 'InterruptedError: Wolfe stopped while this step was running';
const UNFINISHED_STEP = 'the execution ended while this step was still running';

function endStep(s: StepRecord, at: Timestamp, error: string): StepRecord {
  return { ...s, status: 'failed', finishedAt: at, output: null, error };
}

const utf8 = new TextEncoder();

/**
 * Collects what an execution reports while it runs (log lines, steps, attachments) and writes
 * it a batch at a time: on the dispatcher's flush timer, so a running execution is visible
 * while it runs, and once more before the execution is finished. Batches are written one after
 * the other (a step's end is never overtaken by its start); within a batch the three kinds are
 * written together (one group commit on sqlite). A failed write is logged and dropped, like a
 * log line: the runbook's outcome never depends on its notebook.
 */
class ExecutionJournal {
  private logs: LogRecord[] = [];
  private logSeq = 0;
  /** The latest state of each step reported since the last flush (a start and its end coalesce). */
  private steps = new Map<number, StepRecord>();
  /** Steps started and not ended yet, as last reported. */
  private readonly open = new Map<number, StepRecord>();
  private attachments: AttachmentRecord[] = [];
  private attachmentSeq = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly executionId: string,
    private readonly logger: Logger,
  ) {}

  log(entry: SandboxLogEntry): void {
    this.logs.push({ executionId: this.executionId, seq: this.logSeq++, ts: entry.ts, level: entry.level, message: entry.message, fields: entry.fields });
  }

  step(step: SandboxStep): void {
    const record: StepRecord = {
      executionId: this.executionId,
      seq: step.seq,
      name: step.name,
      status: step.status,
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
      output: step.output,
      error: step.error,
    };
    this.steps.set(step.seq, record);
    if (record.status === 'running') this.open.set(step.seq, record);
    else this.open.delete(step.seq);
  }

  attach(attachment: SandboxAttachment): void {
    this.attachments.push({
      executionId: this.executionId,
      seq: this.attachmentSeq++,
      name: attachment.name,
      contentType: attachment.contentType,
      data: attachment.data,
      size: utf8.encode(attachment.data).byteLength,
    });
  }

  /** Records every step still running as failed (the execution is ending). */
  failOpenSteps(at: Timestamp, error: string): void {
    for (const s of [...this.open.values()]) this.step(endStep(s, at, error));
  }

  flush(): Promise<void> {
    if (this.logs.length === 0 && this.steps.size === 0 && this.attachments.length === 0) return this.writing;
    const logs = this.logs;
    const steps = [...this.steps.values()].sort((a, b) => a.seq - b.seq);
    const attachments = this.attachments;
    this.logs = [];
    this.steps = new Map();
    this.attachments = [];
    this.writing = this.writing.then(async () => {
      await Promise.all([
        logs.length > 0 ? this.store.logs.append(logs).catch((err: unknown) => this.failed('log lines', logs.length, err)) : null,
        steps.length > 0 ? this.store.steps.upsert(steps).catch((err: unknown) => this.failed('steps', steps.length, err)) : null,
        attachments.length > 0
          ? this.store.attachments.append(attachments).catch((err: unknown) => this.failed('attachments', attachments.length, err))
          : null,
      ]);
    });
    return this.writing;
  }

  private failed(what: string, count: number, err: unknown): void {
    this.logger.error({ executionId: this.executionId, count, err: String(err) }, `could not write ${count} ${what}`);
  }
}
