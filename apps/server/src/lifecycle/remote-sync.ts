import type { ProjectBranchSyncDto, ProjectSyncDto } from '@wolfe/api-types';
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

export interface RemoteSyncOptions {
  /** The project, for logs. */
  readonly project?: string;
  /** The remote's URL as shown (never with credentials), for logs. */
  readonly url?: string;
}

/**
 * Keeps the environment branches of a local bare repository and its bound remote (`origin`) in
 * step, never forcing anything: commits pushed to the remote by other means are fetched and
 * fast-forwarded (then the catalog loads them and GitOps validates them); commits made through
 * Wolfe's API are pushed. A branch that diverged (both sides have commits the other lacks) is
 * reported and left alone until someone reconciles it on the remote.
 *
 * Rounds never overlap. Asking for a round while one runs (a webhook during a poll) queues ONE
 * more round after it, so a push that landed after the running round fetched is not missed.
 */
export class RemoteSync {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<BranchSync[]> | null = null;
  private queued: Promise<BranchSync[]> | null = null;
  private stopped = false;
  private last: BranchSync[] = [];
  private lastAt: Date | null = null;
  private lastError: string | null = null;
  private intervalMs = 0;
  /** Branches reported diverged (logged once per divergence, not every round). */
  private readonly reportedDiverged = new Set<string>();

  constructor(
    private readonly repo: RunbookRepository,
    private readonly branches: readonly string[],
    private readonly logger: Logger,
    /** Called when a fetched commit moved a local branch (e.g. refresh the catalog now). */
    private readonly onArrived: () => Promise<unknown>,
    private readonly options: RemoteSyncOptions = {},
  ) {}

  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    if (this.timer || this.stopped || intervalMs <= 0) return;
    this.timer = setInterval(() => void this.sync(), intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queued?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** One round; while one runs, the next one (shared by every caller meanwhile). */
  sync(): Promise<BranchSync[]> {
    if (this.stopped) return Promise.resolve(this.last);
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = null;
        return this.sync();
      });
      return this.queued;
    }
    const project = this.options.project;
    this.running = this.round()
      .then((out) => {
        this.last = out;
        this.lastError = null;
        return out;
      })
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.logger.warn({ project, err: this.lastError }, `git remote sync${project ? ` of project ${project}` : ''} failed; will retry`);
        return [];
      })
      .finally(() => {
        this.lastAt = new Date();
        this.running = null;
      });
    return this.running;
  }

  /** Whether `branch` diverged from the remote at the last round (the reason), or null. */
  diverged(branch: string): string | null {
    const b = this.last.find((x) => x.branch === branch);
    return b?.local === 'diverged' ? b.message : null;
  }

  /** For the API: the last round's outcome. */
  state(): ProjectSyncDto {
    const branches: ProjectBranchSyncDto[] = this.last.map((b) => ({ branch: b.branch, local: b.local, remote: b.remote, message: b.message }));
    return {
      pollIntervalMs: this.intervalMs,
      lastSyncAt: this.lastAt?.toISOString() ?? null,
      ok: this.lastAt !== null && this.lastError === null && !branches.some((b) => b.local === 'diverged' || b.remote === 'rejected'),
      error: this.lastError,
      branches,
    };
  }

  private async round(): Promise<BranchSync[]> {
    const project = this.options.project;
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
      if (local !== 'diverged') this.reportedDiverged.delete(branch);
      if (local === 'fast-forward' || local === 'created') {
        arrived = true;
        this.logger.info({ project, branch, head: remoteHeads.get(branch) }, `git remote sync: ${branch}${project ? ` of project ${project}` : ''} took commits pushed to the remote (${(remoteHeads.get(branch) ?? '').slice(0, 12)})`);
      }
      if (local === 'ahead') {
        const pushed = await this.repo.push(branch);
        out.push({ branch, local, remote: pushed.status, message: pushed.reason });
        if (pushed.status === 'rejected') this.logger.warn({ project, branch, reason: pushed.reason }, `git remote sync: push of ${branch} rejected (${pushed.reason}); fetching again next round`);
        continue;
      }
      if (local === 'diverged') {
        const message = `branch ${branch} diverged from origin/${branch}: each has commits the other lacks; Wolfe never forces — reconcile on the remote (merge or revert) and it will follow`;
        if (!this.reportedDiverged.has(branch)) {
          this.reportedDiverged.add(branch);
          this.logger.warn({ project, branch, url: this.options.url }, `git remote sync${project ? ` of project ${project}` : ''}: ${message}`);
        }
        out.push({ branch, local, remote: 'not-pushed', message });
        continue;
      }
      out.push({ branch, local, remote: 'up-to-date', message: null });
    }
    if (arrived) await this.onArrived();
    return out;
  }
}
