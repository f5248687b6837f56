import ivm from 'isolated-vm';

/** An isolate with a fresh, never-used context, ready for one execution. */
export interface IsolateSlot {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  readonly memoryMiB: number;
  /** Executions this isolate has started, this one included. */
  readonly uses: number;
}

export interface IsolatePoolOptions {
  /** Executions per isolate before it is disposed; 1 = a new isolate for every execution. */
  readonly maxUses: number;
  /** Ready isolates kept between executions (all memory sizes together). */
  readonly maxIdle: number;
  /** How long a used isolate may take to produce a fresh context before it is judged stuck and disposed. */
  readonly recycleTimeoutMs: number;
  /**
   * Isolates V8 could not recover from an out-of-memory error that the process keeps (each
   * keeps its heap and one parked thread) before `onCatastrophicError` is called.
   */
  readonly maxLostIsolates: number;
  /** V8 could not recover `isolate` from an out-of-memory error: it was abandoned (see {@link IsolatePool.lost}). */
  readonly onIsolateLost: (isolate: ivm.Isolate) => void;
  /** A catastrophic error the pool cannot contain; without it the process aborts (isolated-vm's default). */
  readonly onCatastrophicError?: (message: string) => void;
}

/** isolated-vm's message for a V8 out-of-memory error it could not turn into a memory-limit error. */
const CATASTROPHIC_OOM = /out-of-memory/i;

/**
 * Isolates for executions. Every execution gets a context no code has run in; the isolate
 * under it is either new or was used before by executions that ended normally (never one
 * that hit a limit: those isolates are disposed). A used isolate goes back to the pool only
 * after it produced the next fresh context in time, which proves it is idle (a runbook
 * cannot leave work running in it) and pre-pays the next execution's setup.
 */
export class IsolatePool {
  private readonly idle: IsolateSlot[] = [];
  private readonly live = new Set<ivm.Isolate>();
  /**
   * Isolates lost to a catastrophic out-of-memory error. Some allocations (e.g. a Map or Set
   * growing its table) fail inside V8 without going through isolated-vm's memory-limit path;
   * isolated-vm then parks the isolate's thread forever instead of aborting the process. Such
   * an isolate is never used, disposed or garbage-collected again (strong references here):
   * its memory is lost until the process restarts, so only `maxLostIsolates` are tolerated.
   */
  private readonly lost = new Set<ivm.Isolate>();
  private readonly recycling = new Set<Promise<void>>();
  /** Isolates being recycled, by memory size. */
  private readonly recyclingBySize = new Map<number, number>();
  /** Executions waiting for an isolate that is being recycled (cheaper than a new isolate). */
  private readonly waiters: { readonly memoryMiB: number; readonly resolve: (slot: IsolateSlot | null) => void }[] = [];
  private closed = false;

  constructor(private readonly options: IsolatePoolOptions) {}

  async acquire(memoryMiB: number): Promise<IsolateSlot> {
    if (this.closed) throw new Error('the sandbox was disposed');
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const slot = this.idle[i]!;
      if (slot.memoryMiB !== memoryMiB) continue;
      this.idle.splice(i, 1);
      if (slot.isolate.isDisposed) {
        this.live.delete(slot.isolate);
        continue;
      }
      return { ...slot, uses: slot.uses + 1 };
    }
    if ((this.recyclingBySize.get(memoryMiB) ?? 0) > this.waiters.filter((w) => w.memoryMiB === memoryMiB).length) {
      const slot = await new Promise<IsolateSlot | null>((resolve) => this.waiters.push({ memoryMiB, resolve }));
      if (this.closed) throw new Error('the sandbox was disposed');
      if (slot !== null) return { ...slot, uses: slot.uses + 1 };
    }
    let created: ivm.Isolate | null = null;
    const isolate = new ivm.Isolate({
      memoryLimit: memoryMiB,
      onCatastrophicError: (message: string) => this.catastrophe(created, message),
    });
    created = isolate;
    this.live.add(isolate);
    try {
      return { isolate, context: await isolate.createContext(), memoryMiB, uses: 1 };
    } catch (error) {
      this.kill(isolate);
      throw error;
    }
  }

  /**
   * Hands a slot back after its execution. `healthy`: the execution ended without a limit
   * or an interruption, so the isolate may serve another execution (in a new context).
   */
  release(slot: IsolateSlot, healthy: boolean): void {
    try {
      slot.context.release();
    } catch {
      // already gone with its isolate
    }
    if (!healthy || this.closed || slot.isolate.isDisposed || slot.uses >= this.options.maxUses) {
      this.kill(slot.isolate);
      return;
    }
    this.recyclingBySize.set(slot.memoryMiB, (this.recyclingBySize.get(slot.memoryMiB) ?? 0) + 1);
    const job = this.recycle(slot).finally(() => this.recycling.delete(job));
    this.recycling.add(job);
  }

  /** Disposes an isolate now (ends any code running in it). */
  kill(isolate: ivm.Isolate): void {
    this.live.delete(isolate);
    if (this.lost.has(isolate)) return; // its thread is parked for good: leave it alone
    if (!isolate.isDisposed) {
      try {
        isolate.dispose();
      } catch {
        // disposed concurrently (memory limit)
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const isolate of [...this.live]) this.kill(isolate);
    this.idle.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(null);
    await Promise.allSettled([...this.recycling]);
  }

  /** Isolates alive right now (idle or running). */
  get size(): number {
    return this.live.size;
  }

  /** Isolates abandoned after a catastrophic out-of-memory error (their memory is not reclaimed). */
  get lostCount(): number {
    return this.lost.size;
  }

  private catastrophe(isolate: ivm.Isolate | null, message: string): void {
    armHardExit();
    if (isolate === null || !CATASTROPHIC_OOM.test(message)) {
      // Not an out-of-memory error (e.g. a script that failed to terminate): nothing to contain.
      this.escalate(message);
      return;
    }
    this.lost.add(isolate);
    this.live.delete(isolate);
    const index = this.idle.findIndex((slot) => slot.isolate === isolate);
    if (index !== -1) this.idle.splice(index, 1);
    this.options.onIsolateLost(isolate);
    if (this.lost.size > this.options.maxLostIsolates) {
      this.escalate(
        `${this.lost.size} isolates were lost to out-of-memory errors V8 could not recover from (over the ${this.options.maxLostIsolates} tolerated); their memory is only reclaimed by restarting the process`,
      );
    }
  }

  private escalate(message: string): void {
    const handler = this.options.onCatastrophicError;
    if (handler === undefined) process.abort(); // isolated-vm's own default
    else handler(message);
  }

  private async recycle(slot: IsolateSlot): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.options.recycleTimeoutMs);
    });
    const created = slot.isolate.createContext().catch(() => null);
    const context = await Promise.race([created, stuck]);
    clearTimeout(timer);
    this.recyclingBySize.set(slot.memoryMiB, (this.recyclingBySize.get(slot.memoryMiB) ?? 1) - 1);
    const index = this.waiters.findIndex((w) => w.memoryMiB === slot.memoryMiB);
    const waiter = index === -1 ? undefined : this.waiters.splice(index, 1)[0];
    if (context === null || this.closed) {
      this.kill(slot.isolate); // a context created late dies with it
      waiter?.resolve(null); // the waiter creates a new isolate
      return;
    }
    if (waiter !== undefined) waiter.resolve({ ...slot, context });
    else if (this.idle.length < this.options.maxIdle) this.idle.push({ ...slot, context });
    else this.kill(slot.isolate);
  }
}

let hardExitArmed = false;

/**
 * After a catastrophic error the process can no longer exit normally: isolated-vm's teardown
 * waits forever for the parked thread (`process.exit()` hangs, and the pending task keeps the
 * event loop alive). So once one happened, exiting ends the process with SIGKILL, which a
 * supervisor sees like any crash (exit status 137), instead of hanging.
 */
function armHardExit(): void {
  if (hardExitArmed) return;
  hardExitArmed = true;
  process.once('exit', () => process.kill(process.pid, 'SIGKILL'));
}
