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
  readonly onCatastrophicError?: (message: string) => void;
}

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
    const isolate = new ivm.Isolate({
      memoryLimit: memoryMiB,
      ...(this.options.onCatastrophicError === undefined ? {} : { onCatastrophicError: this.options.onCatastrophicError }),
    });
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
