import type { RunbookCatalog } from './catalog';
import type { EventRecord, ExecutionError, ExecutionRecord, LogRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { RunbookSandbox, SandboxEvent } from './ports/sandbox';
import type { Store } from './ports/store';

export interface DispatcherOptions {
  /** Executions running at once in this process. */
  readonly concurrency: number;
  /** How often buffered log lines of a running execution are written (ms). */
  readonly logFlushMs: number;
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
 * with, streams its log lines to the store and records the outcome.
 */
export class ExecutionDispatcher {
  private running = 0;
  private pumping = false;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly catalog: RunbookCatalog,
    private readonly sandbox: RunbookSandbox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  /**
   * Single-node recovery: an execution still `running` at start-up was cut off by a stop
   * of this process. It is not re-run (a half-done remediation must not repeat blindly);
   * it is marked failed with the reason, and can be replayed deliberately.
   */
  async recoverInterrupted(): Promise<number> {
    let n = 0;
    for (const ex of await this.store.executions.listByStatus('running', 10_000)) {
      const ok = await this.store.executions.finish(ex.id, {
        status: 'failed',
        finishedAt: this.clock.now().toISOString(),
        result: null,
        error: platformError('InterruptedError', 'Wolfe stopped while this execution was running; it was not re-run automatically'),
      });
      if (ok) n += 1;
    }
    if (n) this.logger.warn({ count: n }, `marked ${n} interrupted execution(s) as failed`);
    return n;
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
        claimed = await this.store.executions.claimNext(this.clock.now().toISOString());
      } catch (err) {
        this.logger.error({ err: String(err) }, 'could not claim an execution');
        return;
      }
      if (!claimed) return;
      this.running += 1;
      const p = this.execute(claimed).finally(() => {
        this.running -= 1;
        this.inFlight.delete(p);
        this.kick();
      });
      this.inFlight.add(p);
    }
  }

  /** Stops claiming and waits for running executions to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async execute(ex: ExecutionRecord): Promise<void> {
    const log = this.logger;
    const logs = new LogBuffer(this.store, ex.id, log);
    const timer = setInterval(() => void logs.flush(), this.options.logFlushMs);
    try {
      const runbook = await this.catalog.find(ex.env, ex.runbook, ex.version);
      if (!runbook) {
        await this.finishWith(ex, 'failed', null, platformError('RunbookUnavailable', `runbook ${ex.runbook} is not loadable at version ${ex.version} in ${ex.env}`));
        return;
      }
      const event = ex.eventId ? await this.store.events.get(ex.eventId) : null;
      log.info({ executionId: ex.id, runbook: ex.runbook, env: ex.env, version: ex.version }, `execution ${ex.id} started`);
      const outcome = await this.sandbox.run({
        executionId: ex.id,
        runbook: { name: runbook.name, version: runbook.version },
        env: ex.env,
        compiled: runbook.compiled,
        event: event ? toSandboxEvent(event) : null,
        limits: { timeoutMs: runbook.manifest.timeoutMs, memoryMiB: runbook.manifest.memoryMiB },
        onLog: (entry) => logs.push(entry),
      });
      await logs.flush();
      if (outcome.status === 'succeeded') await this.finishWith(ex, 'succeeded', outcome.result, null);
      else await this.finishWith(ex, outcome.status, null, outcome.error);
    } catch (err) {
      log.error({ executionId: ex.id, err: String(err) }, 'execution crashed in the platform');
      await logs.flush();
      await this.finishWith(ex, 'failed', null, platformError('PlatformError', `Wolfe failed to run this execution: ${(err as Error).message}`));
    } finally {
      clearInterval(timer);
    }
  }

  private async finishWith(ex: ExecutionRecord, status: 'succeeded' | 'failed' | 'timed_out', result: unknown, error: ExecutionError | null): Promise<void> {
    await this.store.executions.finish(ex.id, { status, finishedAt: this.clock.now().toISOString(), result, error });
    this.logger.info({ executionId: ex.id, runbook: ex.runbook, env: ex.env, status, error: error?.message }, `execution ${ex.id} ${status}`);
  }
}

function toSandboxEvent(e: EventRecord): SandboxEvent {
  return {
    id: e.id,
    source: e.source,
    fingerprint: e.fingerprint,
    labels: e.labels,
    annotations: e.annotations,
    status: e.status,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    receivedAt: e.receivedAt,
  };
}

/** Collects an execution's log lines and writes them in order, a batch at a time. */
class LogBuffer {
  private pending: LogRecord[] = [];
  private seq = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly executionId: string,
    private readonly logger: Logger,
  ) {}

  push(entry: { ts: string; level: LogRecord['level']; message: string; fields: LogRecord['fields'] }): void {
    this.pending.push({ executionId: this.executionId, seq: this.seq++, ...entry });
  }

  flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() =>
      this.store.logs.append(batch).catch((err: unknown) => {
        this.logger.error({ executionId: this.executionId, lines: batch.length, err: String(err) }, 'could not write log lines');
      }),
    );
    return this.writing;
  }
}
