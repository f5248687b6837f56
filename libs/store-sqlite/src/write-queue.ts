import type { DatabaseSync } from 'node:sqlite';

/**
 * Group commit. Every write is a synchronous function that runs inside a transaction; writes
 * that arrive close together (same turn of the event loop, up to `maxBatch`) share ONE
 * transaction, hence one fsync. Each caller's promise settles only after the COMMIT that
 * contains its write returned, so "resolved" still means "durable".
 *
 * A write that throws (constraint violation, "not found", …) fails alone: the batch is
 * rolled back and replayed with a SAVEPOINT around each write, so the others still commit.
 * Writes are deterministic functions of the database state, so replaying them is safe;
 * only the replay's return values are delivered. If BEGIN or COMMIT itself fails (disk
 * full, I/O error, lock timeout), every write of the batch is rejected: nothing of it
 * was committed.
 */
export interface WriteQueueStats {
  /** Transactions committed. */
  readonly commits: number;
  /** Writes that were committed. */
  readonly writes: number;
  /** Batches that had to be replayed one savepoint per write because one write failed. */
  readonly replays: number;
}

interface Entry {
  /** Runs the write; returns what to do once it is committed. Throws if the write fails. */
  readonly execute: () => () => void;
  readonly fail: (err: unknown) => void;
}

export class WriteQueue {
  private pending: Entry[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private stats = { commits: 0, writes: 0, replays: 0 };

  constructor(
    private readonly db: DatabaseSync,
    private readonly maxBatch = 200,
  ) {}

  get statistics(): WriteQueueStats {
    return { ...this.stats };
  }

  /** Queues `write`; resolves with its return value once its transaction has committed. */
  enqueue<T>(write: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the sqlite store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        execute: () => {
          const value = write();
          return () => resolve(value);
        },
        fail: reject,
      });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued so far, synchronously. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    while (this.pending.length > 0) {
      this.commit(this.pending.splice(0, this.maxBatch));
    }
  }

  /** Flushes, then refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private commit(batch: Entry[]): void {
    const done: (() => void)[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      for (const entry of batch) entry.fail(err);
      return;
    }
    let failure: { err: unknown } | null = null;
    try {
      for (const entry of batch) done.push(entry.execute());
    } catch (err) {
      failure = { err };
    }
    if (failure) {
      this.rollback();
      const [only] = batch;
      if (batch.length === 1 && only) only.fail(failure.err);
      else this.replay(batch);
      return;
    }
    this.finish(batch, done);
  }

  /** One transaction, one savepoint per write: the failing ones are rolled back alone. */
  private replay(batch: Entry[]): void {
    this.stats.replays += 1;
    const committed: Entry[] = [];
    const done: (() => void)[] = [];
    const failed: { entry: Entry; err: unknown }[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const entry of batch) {
        this.db.exec('SAVEPOINT wolfe_write');
        try {
          const settle = entry.execute();
          this.db.exec('RELEASE wolfe_write');
          committed.push(entry);
          done.push(settle);
        } catch (err) {
          this.db.exec('ROLLBACK TO wolfe_write');
          this.db.exec('RELEASE wolfe_write');
          failed.push({ entry, err });
        }
      }
    } catch (err) {
      // The savepoint machinery itself failed: nothing of this batch can be trusted.
      this.rollback();
      for (const entry of batch) entry.fail(err);
      return;
    }
    for (const { entry, err } of failed) entry.fail(err);
    this.finish(committed, done);
  }

  private finish(batch: readonly Entry[], done: readonly (() => void)[]): void {
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      this.rollback();
      for (const entry of batch) entry.fail(err);
      return;
    }
    this.stats.commits += 1;
    this.stats.writes += batch.length;
    for (const settle of done) settle();
  }

  private rollback(): void {
    try {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing left to undo.
    }
  }
}
