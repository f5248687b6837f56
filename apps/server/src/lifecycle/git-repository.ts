import type { RepoCommit, RepoCommitOutcome, RepoDiff, RepoFileChange, RepoIdentity, RunbookRepositoryPort } from '@wolfe/application';
import { type CommitInfo, RefNotFoundError, RepositoryLockedError, type RunbookRepository, StaleHeadError } from '@wolfe/git';

/**
 * Around every commit of a project with a remote: before, catch up with the remote (fetch and
 * fast-forward, so the commit lands on what others pushed; refuse on a diverged branch); after,
 * push it.
 */
export interface CommitHooks {
  /** Throws to refuse the commit (e.g. the branch diverged from the remote). */
  before(branch: string): Promise<void>;
  after(branch: string, commit: string): void;
}

/** The lifecycle's repository port over @wolfe/git (a bare repository, one branch per environment). */
export class GitRunbookRepository implements RunbookRepositoryPort {
  constructor(
    readonly repo: RunbookRepository,
    private readonly hooks: CommitHooks | null = null,
  ) {}

  async head(branch: string): Promise<string | null> {
    try {
      return await this.repo.head(branch);
    } catch (err) {
      if (err instanceof RefNotFoundError) return null;
      throw err;
    }
  }

  resolve(ref: string): Promise<string | null> {
    return this.repo.commitOf(ref);
  }

  readTree(ref: string): Promise<ReadonlyMap<string, string>> {
    return this.repo.readTree(ref);
  }

  async readFolder(ref: string, folder: string): Promise<ReadonlyMap<string, string>> {
    const prefix = `${folder}/`;
    const files = new Map<string, string>();
    for (const [path, content] of await this.repo.readTree(ref, { path: folder })) if (path.startsWith(prefix)) files.set(path.slice(prefix.length), content);
    return files;
  }

  async log(ref: string, options: { readonly path?: string; readonly limit: number; readonly skip?: number }): Promise<readonly RepoCommit[]> {
    return (await this.repo.log(ref, options)).map(toCommit);
  }

  diff(fromRef: string, toRef: string, options: { readonly path?: string }): Promise<RepoDiff> {
    return this.repo.diff(fromRef, toRef, options);
  }

  async commit(branch: string, changes: readonly RepoFileChange[], options: { readonly message: string; readonly author: RepoIdentity; readonly expectedHead: string }): Promise<RepoCommitOutcome> {
    // When the remote had newer commits, the fast-forward moves the branch: the commit below then
    // fails as stale and the lifecycle re-reads and re-checks on the new head (compare-and-swap).
    await this.hooks?.before(branch);
    try {
      const version = await this.repo.commitFiles(branch, changes, options);
      if (version !== options.expectedHead) this.hooks?.after(branch, version);
      return { ok: true, version, changed: version !== options.expectedHead };
    } catch (err) {
      if (err instanceof StaleHeadError) return { ok: false, reason: 'stale', head: err.actual };
      if (err instanceof RepositoryLockedError) return { ok: false, reason: 'locked', message: err.message };
      throw err;
    }
  }
}

function toCommit(c: CommitInfo): RepoCommit {
  return { version: c.version, author: c.author, date: c.date, message: c.message, subject: c.subject, trailers: c.trailers };
}
