import type { Logger } from '@wolfe/application';
import { type FastForwardOutcome, RefNotFoundError, type RunbookRepository } from '@wolfe/git';

export interface BranchSync {
  readonly branch: string;
  /** What happened locally (`fast-forward`/`created`: a push from elsewhere arrived). */
  readonly local: FastForwardOutcome | 'missing-on-remote';
  /** What happened on the remote (`pushed`: Wolfe's own commits went out). */
  readonly remote: 'pushed' | 'up-to-date' | 'rejected' | 'not-pushed';
  readonly message: string | null;
}

/**
 * Keeps the environment branches of a local bare repository and its bound remote (`origin`) in
 * step, never forcing anything: commits pushed to the remote by other means are fetched and
 * fast-forwarded (then the catalog loads them and GitOps validates them); commits made through
 * Wolfe's API are pushed. A branch that diverged (both sides have commits the other lacks) is
 * reported and left alone until someone reconciles it on the remote.
 */
export class RemoteSync {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<BranchSync[]> | null = null;

  constructor(
    private readonly repo: RunbookRepository,
    private readonly branches: readonly string[],
    private readonly logger: Logger,
    /** Called when a fetched commit moved a local branch (e.g. refresh the catalog now). */
    private readonly onArrived: () => Promise<unknown>,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sync(), intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One round (rounds never overlap). */
  sync(): Promise<BranchSync[]> {
    this.running ??= this.round()
      .catch((err: unknown) => {
        this.logger.warn({ err: String(err) }, 'git remote sync failed; will retry');
        return [];
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<BranchSync[]> {
    const remoteHeads = await this.repo.fetch();
    const out: BranchSync[] = [];
    let arrived = false;
    for (const branch of this.branches) {
      if (!remoteHeads.has(branch)) {
        const pushed = await this.repo.push(branch).catch((err: unknown) => (err instanceof RefNotFoundError ? null : Promise.reject(err)));
        out.push({ branch, local: 'missing-on-remote', remote: pushed?.status ?? 'not-pushed', message: pushed?.reason ?? null });
        continue;
      }
      const local = await this.repo.fastForward(branch);
      if (local === 'fast-forward' || local === 'created') arrived = true;
      if (local === 'ahead') {
        const pushed = await this.repo.push(branch);
        out.push({ branch, local, remote: pushed.status, message: pushed.reason });
        if (pushed.status === 'rejected') this.logger.warn({ branch, reason: pushed.reason }, `git remote sync: push of ${branch} rejected (${pushed.reason}); fetching again next round`);
        continue;
      }
      if (local === 'diverged') {
        const message = `branch ${branch} diverged from origin/${branch}: each has commits the other lacks; Wolfe never forces — reconcile on the remote (merge or revert) and it will follow`;
        this.logger.warn({ branch }, `git remote sync: ${message}`);
        out.push({ branch, local, remote: 'not-pushed', message });
        continue;
      }
      out.push({ branch, local, remote: 'up-to-date', message: null });
    }
    if (arrived) await this.onArrived();
    return out;
  }
}
