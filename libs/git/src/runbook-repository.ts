import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { InvalidArgumentError, RefNotFoundError, RemoteError, RepositoryLockedError, StaleHeadError } from './errors';
import { type CommitInfo, type DiffResult, LOG_FORMAT, parseLog, parseRawNumstat } from './history';
import { KeyedMutex } from './mutex';
import { assertRemoteUrl, redact, redactUrl, type RemoteAuth, type RemoteInvocation, remoteInvocation, type RemoteSpec } from './remote';

export interface Identity {
  readonly name: string;
  readonly email: string;
}

export interface OpenRepositoryOptions {
  /** The bare repository, e.g. `<dataDir>/repos/default.git`. Created (with parent folders) if missing. */
  readonly path: string;
  /** A folder (e.g. `./runbooks`) committed as the first commit when the repository has no commits. */
  readonly seedFrom?: string;
  /** Branches seeded with the first commit, e.g. `['dev', 'test', 'prod']`. The first one becomes HEAD. */
  readonly branches: readonly string[];
  /** Committer of every commit, and author of the seed commit. Default `Wolfe <wolfe@localhost>`. */
  readonly author?: Identity;
  /**
   * `*.lock` files (and Wolfe's own temporary index files) older than this are removed on open:
   * git leaves them behind when it is killed, and every later ref update then fails.
   * Default 5000 ms. A live git holds a ref lock for milliseconds, not seconds.
   */
  readonly staleLockMs?: number;
  /** Called for every warning (file skipped by readTree, stale lock removed, …). */
  readonly onWarning?: (warning: RepositoryWarning) => void;
}

export interface FileChange {
  /** Repository path with forward slashes, e.g. `disk-cleanup/index.ts`. */
  readonly path: string;
  /** New UTF-8 content; null deletes the file (deleting a file that does not exist is a no-op). */
  readonly content: string | null;
}

export interface CommitFilesOptions {
  readonly message: string;
  /** The person who made the change; the committer is the repository's identity. */
  readonly author: Identity;
  /**
   * The head the caller read before making the change. If the branch has moved since,
   * nothing is committed and StaleHeadError is thrown. null: the branch must not exist yet.
   * Omitted: commit on top of whatever the head is.
   */
  readonly expectedHead?: string | null;
}

export interface LogOptions {
  /** Only commits that changed this file or folder (repository path, e.g. `disk-cleanup`). */
  readonly path?: string;
  /** At most this many commits, newest first (1–1000). */
  readonly limit: number;
  /** Skip this many commits first (paging). */
  readonly skip?: number;
}

export interface DiffOptions {
  /** Only this file or folder (repository path). */
  readonly path?: string;
}

export interface ReadTreeOptions {
  /** Only the files under this folder (or this one file), with their full repository paths. */
  readonly path?: string;
}

/** What happened to a local branch when it was moved to the remote's head. */
export type FastForwardOutcome = 'up-to-date' | 'created' | 'fast-forward' | 'ahead' | 'diverged';

export interface PushResult {
  readonly branch: string;
  /** `pushed`: the remote branch now points at `commit`; `up-to-date`: it already did; `rejected`: the remote has commits we do not (fetch first). */
  readonly status: 'pushed' | 'up-to-date' | 'rejected';
  readonly commit: string;
  /** git's reason when rejected (no credentials in it). */
  readonly reason: string | null;
}

export type RepositoryWarningKind = 'file-too-large' | 'not-utf8' | 'not-a-file' | 'stale-lock-removed' | 'seed-file-skipped';

export interface RepositoryWarning {
  readonly kind: RepositoryWarningKind;
  /** Repository path (readTree, seed) or file system path (locks). */
  readonly path: string;
  /** The commit read, for readTree warnings. */
  readonly commit?: string;
  readonly message: string;
}

export interface TreeSnapshot {
  readonly commit: string;
  readonly files: Map<string, string>;
  readonly warnings: RepositoryWarning[];
}

/** Files bigger than this are not read (a runbook folder is source code, not data). */
export const MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_IDENTITY: Identity = { name: 'Wolfe', email: 'wolfe@localhost' };
const DEFAULT_STALE_LOCK_MS = 5000;
/** A git process silent for this long is killed (nothing here talks to a network or a terminal). */
const GIT_IDLE_TIMEOUT_MS = 120_000;
const KEEP_WARNINGS = 100;

/** GIT_* variables we set ourselves; every other GIT_* variable of the server's environment is dropped. */
const OWN_GIT_ENV = [
  'GIT_DIR',
  'GIT_INDEX_FILE',
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
] as const;
/** Variables simple-git refuses to pass on (they can make git run programs). */
const GUARDED_ENV = /^(GIT_.*|EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS)$/i;

const OBJECT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const ABBREVIATED_ID = /^[0-9a-f]{4,64}$/i;

/** One lock per repository path in this process: every operation on a repository runs alone. */
const locks = new KeyedMutex();

/**
 * The runbooks of one Wolfe installation: a bare git repository, one branch per environment.
 *
 * Everything goes through git plumbing (hash-object, update-index on a temporary index,
 * write-tree, commit-tree, update-ref with the expected old value): there is no work tree to
 * corrupt and a crash leaves at worst unreferenced objects and a stale lock, which `open`
 * removes. Branch updates are compare-and-swap, so two processes cannot overwrite each other's
 * commits; within a process, operations on one repository are serialized.
 *
 * No user string reaches a shell: git runs with an argv array (simple-git), file contents and
 * commit messages go through stdin, names and emails through the environment.
 */
export class RunbookRepository {
  private readonly recent: RepositoryWarning[] = [];
  /** The remote's credentials live in memory only (never in the git config). */
  private remoteAuth: RemoteAuth | undefined;
  private remoteBound = false;

  private constructor(
    /** Absolute path of the bare repository (parent folder resolved through symlinks). */
    readonly path: string,
    private readonly committer: Identity,
    private readonly onWarning: ((w: RepositoryWarning) => void) | undefined,
    private readonly staleLockMs: number = DEFAULT_STALE_LOCK_MS,
  ) {}

  static async open(options: OpenRepositoryOptions): Promise<RunbookRepository> {
    const branches = [...new Set(options.branches)];
    if (branches.length === 0) throw new InvalidArgumentError('open: give at least one branch');
    for (const b of branches) assertBranchName(b);
    const committer = options.author ?? DEFAULT_IDENTITY;
    assertIdentity(committer, 'author');

    const requested = resolve(options.path);
    await mkdir(dirname(requested), { recursive: true });
    const path = join(await realpath(dirname(requested)), basename(requested));
    const repo = new RunbookRepository(path, committer, options.onWarning, options.staleLockMs ?? DEFAULT_STALE_LOCK_MS);

    await locks.run(path, async () => {
      const created = await repo.ensureBareRepository(branches[0] as string);
      if (!created) await repo.removeStaleLocks(options.staleLockMs ?? DEFAULT_STALE_LOCK_MS);
      if (options.seedFrom !== undefined && (created || !(await repo.hasCommits()))) await repo.seed(options.seedFrom, branches);
    });
    return repo;
  }

  /**
   * A bare repository filled from a remote: `origin` is bound (URL in the config, credentials in
   * memory), fetched, and every branch of `branches` the remote has is created locally (or
   * fast-forwarded, when the repository already exists). Returns the branches the remote lacks.
   */
  static async clone(options: Omit<OpenRepositoryOptions, 'seedFrom'> & { readonly remote: RemoteSpec }): Promise<{ repo: RunbookRepository; missing: string[] }> {
    const { remote, ...rest } = options;
    assertRemoteUrl(remote.url);
    remoteInvocation(remote.auth); // validates the credentials before anything is created
    const repo = await RunbookRepository.open(rest);
    await repo.bindRemote(remote);
    const heads = await repo.fetch();
    const missing: string[] = [];
    for (const branch of [...new Set(options.branches)]) {
      if (!heads.has(branch)) missing.push(branch);
      else await repo.fastForward(branch);
    }
    return { repo, missing };
  }

  /** The commit SHA `branch` points at. Throws RefNotFoundError if there is no such branch. */
  async head(branch: string): Promise<string> {
    assertBranchName(branch);
    return this.exclusive(async () => {
      const sha = await this.branchHead(branch);
      if (sha === null) throw new RefNotFoundError(branch);
      return sha;
    });
  }

  /** Local branch names, sorted. */
  async branches(): Promise<string[]> {
    return this.exclusive(async () => {
      const out = await this.git().raw(['for-each-ref', '--format=%(refname)', 'refs/heads/']);
      return out
        .split('\n')
        .filter((l) => l.startsWith('refs/heads/'))
        .map((l) => l.slice('refs/heads/'.length))
        .sort();
    });
  }

  /**
   * All files at `ref` (a branch name or a commit SHA): repository path → UTF-8 content.
   * Files over 1 MiB, files that are not UTF-8, symlinks and submodules are skipped with a
   * warning (see `onWarning`, `warnings()`, or `snapshot()` which returns them).
   */
  async readTree(ref: string, options: ReadTreeOptions = {}): Promise<Map<string, string>> {
    return (await this.snapshot(ref, options)).files;
  }

  /** Like readTree, and also says which commit `ref` resolved to and what was skipped. */
  async snapshot(ref: string, options: ReadTreeOptions = {}): Promise<TreeSnapshot> {
    if (options.path !== undefined) assertPath(options.path, 'readTree');
    return this.exclusive(async () => {
      const commit = await this.resolveCommit(ref);
      const entries = await this.listTree(commit, options.path);
      const warnings: RepositoryWarning[] = [];
      const warn = (kind: RepositoryWarningKind, path: string, message: string): void => {
        const w: RepositoryWarning = { kind, path, commit, message };
        warnings.push(w);
        this.warn(w);
      };

      const wanted: TreeEntry[] = [];
      for (const e of entries) {
        if (e.type !== 'blob' || (e.mode !== '100644' && e.mode !== '100755')) {
          warn('not-a-file', e.path, `${e.path} skipped: a ${e.mode === '120000' ? 'symlink' : e.type === 'commit' ? 'submodule' : e.type}, not a regular file`);
        } else if (e.size > MAX_FILE_BYTES) {
          warn('file-too-large', e.path, `${e.path} skipped: ${e.size} bytes, more than ${MAX_FILE_BYTES}`);
        } else wanted.push(e);
      }
      const blobs = await this.readBlobs([...new Set(wanted.map((e) => e.sha))]);
      const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      const files = new Map<string, string>();
      for (const e of wanted) {
        const bytes = blobs.get(e.sha);
        if (bytes === undefined) throw new Error(`git cat-file did not return blob ${e.sha} (${e.path}) of ${commit}`);
        try {
          files.set(e.path, decoder.decode(bytes));
        } catch {
          warn('not-utf8', e.path, `${e.path} skipped: not UTF-8 text`);
        }
      }
      return { commit, files, warnings };
    });
  }

  /**
   * Commits `changes` on top of `branch` and moves the branch to the new commit (creating the
   * branch if it does not exist and `expectedHead` is omitted or null). Returns the new head.
   * If the changes leave the tree as it was, nothing is committed and the current head is returned.
   */
  async commitFiles(branch: string, changes: readonly FileChange[], options: CommitFilesOptions): Promise<string> {
    assertBranchName(branch);
    assertIdentity(options.author, 'author');
    if (options.message.trim() === '') throw new InvalidArgumentError('commitFiles: the commit message is empty');
    if (options.expectedHead != null && !OBJECT_ID.test(options.expectedHead)) {
      throw new InvalidArgumentError(`commitFiles: expectedHead ${JSON.stringify(options.expectedHead)} is not a full commit SHA`);
    }
    const seen = new Set<string>();
    for (const c of changes) {
      assertRepoPath(c.path);
      if (seen.has(c.path)) throw new InvalidArgumentError(`commitFiles: ${c.path} is changed twice`);
      seen.add(c.path);
    }

    return this.exclusive(async () => {
      const current = await this.branchHead(branch);
      if (options.expectedHead !== undefined && options.expectedHead !== current) {
        throw new StaleHeadError(branch, options.expectedHead, current);
      }
      const base = current === null ? [] : await this.listTree(current);
      const writes: { path: string; content: string }[] = [];
      for (const c of changes) if (c.content !== null) writes.push({ path: c.path, content: c.content });
      const entries = new Map(base.map((e) => [e.path, `${e.mode} ${e.sha}`]));
      for (const c of changes) if (c.content === null) entries.delete(c.path);
      // update-index would silently drop a folder's files to make room for a file of the same name.
      const paths = new Set([...entries.keys(), ...writes.map((w) => w.path)]);
      const folders = new Set<string>();
      for (const p of paths) for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i));
      const clash = [...paths].find((p) => folders.has(p));
      if (clash !== undefined) {
        throw new InvalidArgumentError(`commitFiles: ${clash} would be both a file and a folder; delete one of them in the same commit`);
      }

      const shas = await this.writeBlobs(writes.map((c) => Buffer.from(c.content, 'utf8')));
      writes.forEach((c, i) => {
        // An executable file stays executable; everything else (new files, replaced symlinks) is a plain file.
        const mode = entries.get(c.path)?.startsWith('100755 ') ? '100755' : '100644';
        entries.set(c.path, `${mode} ${shas[i] as string}`);
      });
      const tree = await this.buildTree([...entries].map(([path, entry]) => `${entry}\t${path}`));
      if (current !== null && tree === (await this.resolve([`${current}^{tree}`]))[0]) return current;

      const commit = await this.commitTree(tree, current, options.message, options.author);
      await this.updateRef(branch, commit, current);
      return commit;
    });
  }

  /** The commit `ref` (a branch name, or a full or abbreviated commit SHA) resolves to; null if none. */
  async commitOf(ref: string): Promise<string | null> {
    return this.exclusive(async () => {
      try {
        return await this.resolveCommit(ref);
      } catch (err) {
        if (err instanceof RefNotFoundError) return null;
        throw err;
      }
    });
  }

  /**
   * One file at `ref` (branch or commit); null when there is no such file (or it is a folder).
   * Same rules as readTree: a file over 1 MiB, not UTF-8, or a symlink is an InvalidArgumentError.
   */
  async readFile(ref: string, path: string): Promise<string | null> {
    assertPath(path, 'readFile');
    return this.exclusive(async () => {
      const commit = await this.resolveCommit(ref);
      const [object] = await this.resolve([`${commit}:${path}`]);
      if (object === null || object === undefined) return null;
      const entry = (await this.listTree(commit, path)).find((e) => e.path === path);
      if (entry === undefined) return null;
      if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) throw new InvalidArgumentError(`${path} at ${commit} is not a regular file`);
      if (entry.size > MAX_FILE_BYTES) throw new InvalidArgumentError(`${path} at ${commit} is ${entry.size} bytes, more than ${MAX_FILE_BYTES}`);
      const bytes = (await this.readBlobs([entry.sha])).get(entry.sha);
      if (bytes === undefined) throw new Error(`git cat-file did not return blob ${entry.sha} (${path}) of ${commit}`);
      try {
        return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new InvalidArgumentError(`${path} at ${commit} is not UTF-8 text`);
      }
    });
  }

  /**
   * Commits reachable from `ref`, newest first, optionally only those that changed `path`:
   * SHA, author, author date, message and its trailers (`Key: value` lines of the last paragraph).
   * The last commit that changed a runbook's folder is that runbook's version on a branch.
   */
  async log(ref: string, options: LogOptions): Promise<CommitInfo[]> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000) throw new InvalidArgumentError('log: limit must be a whole number from 1 to 1000');
    const skip = options.skip ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new InvalidArgumentError('log: skip must be a whole number ≥ 0');
    if (options.path !== undefined) assertPath(options.path, 'log');
    return this.exclusive(async () => {
      const commit = await this.resolveCommit(ref);
      const out = await this.git().raw([
        '-c',
        'log.showSignature=false',
        'log',
        LOG_FORMAT,
        `--max-count=${options.limit}`,
        ...(skip > 0 ? [`--skip=${skip}`] : []),
        commit,
        '--',
        ...(options.path !== undefined ? [options.path] : []),
      ]);
      return parseLog(out);
    });
  }

  /**
   * What changed from `fromRef` to `toRef` (branches or commits), optionally under one path:
   * the unified diff and one summary line per file (status, lines added and deleted).
   * Renames are shown as a deletion and an addition.
   */
  async diff(fromRef: string, toRef: string, options: DiffOptions = {}): Promise<DiffResult> {
    const path = options.path;
    if (path !== undefined) assertPath(path, 'diff');
    return this.exclusive(async () => {
      const from = await this.resolveCommit(fromRef);
      const to = await this.resolveCommit(toRef);
      // Same tree (or both missing): nothing to ask git (and git diff would print nothing).
      const [a, b] = await this.resolve(path === undefined ? [`${from}^{tree}`, `${to}^{tree}`] : [`${from}:${path}`, `${to}:${path}`]);
      if (a === b) return { from, to, text: '', files: [] };
      const common = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', from, to, '--', ...(path !== undefined ? [path] : [])];
      const summary = await this.git().raw(['diff', '--raw', '--numstat', '-z', ...common]);
      const text = await this.git().raw(['diff', '--patch', ...common]);
      return { from, to, text, files: parseRawNumstat(summary) };
    });
  }

  // ---- remote ------------------------------------------------------------------------------

  /**
   * Binds `origin`: its URL is written to the repository's config (it is what `git remote -v`
   * shows: never a credential), its credentials are kept in this object's memory and handed to
   * each fetch/push through the git process's environment only.
   */
  async bindRemote(remote: RemoteSpec): Promise<void> {
    assertRemoteUrl(remote.url);
    remoteInvocation(remote.auth); // validates the credentials
    await this.exclusive(async () => {
      await this.git().raw(['config', 'remote.origin.url', remote.url]);
      await this.git().raw(['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
    });
    this.remoteAuth = remote.auth;
    this.remoteBound = true;
  }

  /** The bound remote's URL (as stored: without credentials), or null. */
  async remoteUrl(): Promise<string | null> {
    return this.exclusive(async () => {
      const out = await this.git().raw(['config', '--default=', '--get', 'remote.origin.url']);
      return out.trim() === '' ? null : out.trim().split('\n')[0] ?? null;
    });
  }

  /**
   * Fetches every branch of `origin` into `refs/remotes/origin/*` (local branches do not move:
   * see fastForward). Returns the remote's branch heads. Runs outside the repository's mutex (git
   * locks the refs it writes), so a slow network never holds up reads and commits.
   */
  async fetch(): Promise<Map<string, string>> {
    const inv = this.remoteInvocationOrThrow('fetch');
    try {
      await this.git({ remote: inv }).raw([...inv.args, 'fetch', '--no-tags', '--prune', '--verbose', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
    } catch (err) {
      throw new RemoteError('fetch', `git fetch from ${redactUrl((await this.remoteUrl()) ?? 'origin')} failed: ${redact(errorText(err), inv.secrets)}`);
    }
    return this.exclusive(async () => {
      const out = await this.git().raw(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/remotes/origin/']);
      const heads = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [sha, ref] = line.split(' ');
        if (sha && ref?.startsWith('refs/remotes/origin/') && ref !== 'refs/remotes/origin/HEAD') heads.set(ref.slice('refs/remotes/origin/'.length), sha);
      }
      return heads;
    });
  }

  /** The last fetched head of the remote's `branch`, or null. */
  async remoteHead(branch: string): Promise<string | null> {
    assertBranchName(branch);
    return this.exclusive(async () => (await this.resolve([`refs/remotes/origin/${branch}^{commit}`]))[0] ?? null);
  }

  /**
   * Moves local `branch` to the fetched remote head when that is a fast-forward (compare-and-swap,
   * like every ref update here). `ahead`: the local branch has commits the remote lacks (push
   * them); `diverged`: both have commits the other lacks (nothing moves; resolve by hand).
   */
  async fastForward(branch: string): Promise<FastForwardOutcome> {
    assertBranchName(branch);
    return this.exclusive(async () => {
      const remote = (await this.resolve([`refs/remotes/origin/${branch}^{commit}`]))[0] ?? null;
      if (remote === null) throw new RefNotFoundError(`origin/${branch}`);
      const local = await this.branchHead(branch);
      if (local === remote) return 'up-to-date';
      if (local === null) {
        await this.updateRef(branch, remote, null);
        return 'created';
      }
      const base = await this.mergeBase(local, remote);
      if (base === local) {
        await this.updateRef(branch, remote, local);
        return 'fast-forward';
      }
      return base === remote ? 'ahead' : 'diverged';
    });
  }

  /**
   * Pushes local `branch` to the same branch of `origin`. Never forced: if the remote has commits
   * this repository lacks, the result is `rejected` (fetch, fast-forward or reconcile, then push again).
   */
  async push(branch: string): Promise<PushResult> {
    assertBranchName(branch);
    const inv = this.remoteInvocationOrThrow('push');
    const commit = await this.head(branch);
    const refspec = `refs/heads/${branch}:refs/heads/${branch}`;
    let out: string;
    try {
      out = await this.git({ remote: inv }).raw([...inv.args, 'push', '--porcelain', 'origin', refspec]);
    } catch (err) {
      const text = redact(errorText(err), inv.secrets);
      const rejected = text.split('\n').find((l) => l.startsWith('!	'));
      if (rejected !== undefined) return { branch, status: 'rejected', commit, reason: rejected.split('	')[2] ?? 'rejected' };
      throw new RemoteError('push', `git push to ${redactUrl((await this.remoteUrl()) ?? 'origin')} failed: ${text}`);
    }
    const line = out.split('\n').find((l) => l.includes(`	${refspec}	`)) ?? '';
    return { branch, status: line.startsWith('=') ? 'up-to-date' : 'pushed', commit, reason: null };
  }

  /** The last warnings (at most 100), oldest first. */
  warnings(): readonly RepositoryWarning[] {
    return [...this.recent];
  }

  // -------------------------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return locks.run(this.path, fn);
  }

  private warn(w: RepositoryWarning): void {
    this.recent.push(w);
    if (this.recent.length > KEEP_WARNINGS) this.recent.shift();
    this.onWarning?.(w);
  }

  /** A simple-git instance for one command: fixed identity, no prompts, GIT_DIR pinned. */
  private git(options: { env?: Record<string, string>; input?: string | Buffer; cwd?: string; remote?: RemoteInvocation } = {}): SimpleGit {
    const { input } = options;
    if (input !== undefined && input.length === 0) throw new Error('internal: empty stdin would leave git waiting');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !GUARDED_ENV.test(k)) env[k] = v;
    Object.assign(env, {
      GIT_DIR: this.path,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: this.committer.name,
      GIT_AUTHOR_EMAIL: this.committer.email,
      GIT_COMMITTER_NAME: this.committer.name,
      GIT_COMMITTER_EMAIL: this.committer.email,
      LC_ALL: 'C',
      ...options.env,
      ...options.remote?.env,
    });
    return simpleGit({
      baseDir: options.cwd ?? this.path,
      allowEnvironment: [...OWN_GIT_ENV, ...(options.remote?.allowEnvironment ?? [])],
      ...(options.remote ? { unsafe: options.remote.unsafe } : {}),
      timeout: { block: GIT_IDLE_TIMEOUT_MS },
      ...(input !== undefined ? { input: () => input } : {}),
    }).env(env);
  }

  /** Creates the bare repository if needed. Returns true if it was created. */
  private async ensureBareRepository(initialBranch: string): Promise<boolean> {
    const st = await stat(this.path).catch(() => null);
    if (st !== null && !st.isDirectory()) throw new Error(`${this.path} exists and is not a folder`);
    const entries = st === null ? [] : await readdir(this.path);
    if (entries.length > 0) {
      if (!['HEAD', 'objects', 'refs'].every((e) => entries.includes(e))) {
        throw new Error(`${this.path} exists, is not empty and is not a bare git repository`);
      }
      const bare = (await this.git().raw(['rev-parse', '--is-bare-repository'])).trim();
      if (bare !== 'true') throw new Error(`${this.path} is a git repository but not a bare one`);
      return false;
    }
    await mkdir(this.path, { recursive: true });
    await this.git().raw(['init', '--bare', `--initial-branch=${initialBranch}`]);
    return true;
  }

  private async hasCommits(): Promise<boolean> {
    const out = await this.git().raw(['for-each-ref', '--count=1', '--format=%(objectname)', 'refs/heads/']);
    return out.trim() !== '';
  }

  /**
   * Removes lock files a killed git left behind: `*.lock` directly in the repository folder
   * (HEAD.lock, packed-refs.lock, config.lock, …) and anywhere under refs/, plus Wolfe's own
   * temporary index files and blob folders. Only those older than `maxAgeMs`: a younger lock may
   * belong to a git that is running right now in another process.
   */
  private async removeStaleLocks(maxAgeMs: number): Promise<void> {
    const candidates: string[] = [];
    for (const e of await readdir(this.path, { withFileTypes: true })) {
      if ((e.isFile() && e.name.endsWith('.lock')) || e.name.startsWith('wolfe-index-') || e.name.startsWith('wolfe-tmp-')) {
        candidates.push(join(this.path, e.name));
      }
    }
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.endsWith('.lock')) candidates.push(p);
      }
    };
    await walk(join(this.path, 'refs'));

    const now = Date.now();
    for (const p of candidates) {
      const st = await lstat(p).catch(() => null);
      if (st === null || now - st.mtimeMs < maxAgeMs) continue;
      await rm(p, { recursive: true, force: true });
      this.warn({
        kind: 'stale-lock-removed',
        path: p,
        message: `removed ${relative(this.path, p)}, left behind ${Math.round((now - st.mtimeMs) / 1000)}s ago by an interrupted git`,
      });
    }
  }

  private async seed(folder: string, branches: readonly string[]): Promise<void> {
    const root = resolve(folder);
    const st = await stat(root).catch(() => null);
    if (st === null || !st.isDirectory()) throw new Error(`cannot seed the runbook repository from ${folder}: not a folder`);

    const files: { abs: string; path: string; mode: string }[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const abs = join(dir, e.name);
        const path = relative(root, abs).split(sep).join('/');
        if (e.isDirectory()) await walk(abs);
        else if (!e.isFile()) this.warn({ kind: 'seed-file-skipped', path, message: `${path} not seeded: not a regular file` });
        else if (!isValidRepoPath(path) || path.includes('\n')) this.warn({ kind: 'seed-file-skipped', path, message: `${path} not seeded: unusable file name` });
        else files.push({ abs, path, mode: ((await stat(abs)).mode & 0o111) !== 0 ? '100755' : '100644' });
      }
    };
    await walk(root);

    const shas = files.length === 0 ? [] : await this.hashFiles(files.map((f) => f.abs));
    const tree = await this.buildTree(files.map((f, i) => `${f.mode} ${shas[i] as string}\t${f.path}`));
    const commit = await this.commitTree(tree, null, `Seed runbooks from ${folder}`, this.committer);
    // One transaction: every branch gets the seed commit, or none does.
    await this.updateRefs(branches.map((b) => ({ branch: b, commit, old: null })));
  }

  private async branchHead(branch: string): Promise<string | null> {
    return (await this.resolve([`refs/heads/${branch}^{commit}`]))[0] ?? null;
  }

  /**
   * Object ids of revision expressions (validated by the callers), null for those that do not
   * resolve, with one `cat-file --batch-check`. (Not `rev-parse --verify --quiet`: it is silent
   * for a missing name, and simple-git waits 50 ms after a process that printed nothing.)
   */
  private async resolve(names: readonly string[]): Promise<(string | null)[]> {
    const out = await this.git({ input: names.map((n) => `${n}\n`).join('') }).raw(['cat-file', '--batch-check=%(objectname) %(objecttype)']);
    const lines = out.split('\n').filter((l) => l !== '');
    if (lines.length !== names.length) throw new Error(`git cat-file --batch-check answered ${lines.length} lines for ${names.length} names`);
    return lines.map((l) => {
      const [id, type] = l.split(' ');
      return id !== undefined && OBJECT_ID.test(id) && type !== 'missing' && type !== 'ambiguous' ? id : null;
    });
  }

  /** A branch name or a (possibly abbreviated) commit id → commit id. A branch wins over an id. */
  private async resolveCommit(ref: string): Promise<string> {
    const candidates: string[] = [];
    if (isValidBranchName(ref)) candidates.push(`refs/heads/${ref}^{commit}`);
    if (ABBREVIATED_ID.test(ref)) candidates.push(`${ref.toLowerCase()}^{commit}`);
    if (candidates.length > 0) {
      const sha = (await this.resolve(candidates)).find((s) => s !== null);
      if (sha) return sha;
    }
    throw new RefNotFoundError(ref);
  }

  private remoteInvocationOrThrow(operation: 'fetch' | 'push'): RemoteInvocation {
    if (!this.remoteBound) throw new RemoteError(operation, `${operation}: no remote is bound to this repository (bindRemote first)`);
    return remoteInvocation(this.remoteAuth);
  }

  /** The best common ancestor of two commits, or null (unrelated histories). */
  private async mergeBase(a: string, b: string): Promise<string | null> {
    const out = (await this.git().raw(['merge-base', a, b])).trim();
    return OBJECT_ID.test(out) ? out : null;
  }

  private async listTree(commit: string, path?: string): Promise<TreeEntry[]> {
    const out = await this.git().raw(['ls-tree', '-r', '-z', '-l', '--full-tree', commit, ...(path !== undefined ? ['--', path] : [])]);
    const entries: TreeEntry[] = [];
    for (const record of out.split('\0')) {
      if (record === '') continue;
      const tab = record.indexOf('\t');
      const [mode, type, sha, size] = record.slice(0, tab).trim().split(/\s+/);
      entries.push({ mode: mode ?? '', type: type ?? '', sha: sha ?? '', size: size === '-' || size === undefined ? 0 : Number(size), path: record.slice(tab + 1) });
    }
    return entries;
  }

  /** Blob contents by SHA, with one `git cat-file --batch` for all of them. */
  private async readBlobs(shas: readonly string[]): Promise<Map<string, Buffer>> {
    const blobs = new Map<string, Buffer>();
    if (shas.length === 0) return blobs;
    const out: unknown = await this.git({ input: shas.join('\n') + '\n' }).binaryCatFile(['--batch']);
    if (!Buffer.isBuffer(out)) throw new Error('git cat-file --batch returned no bytes');
    let pos = 0;
    while (pos < out.length) {
      const nl = out.indexOf(0x0a, pos);
      if (nl === -1) throw new Error('git cat-file --batch: truncated output');
      const [sha, type, size] = out.toString('utf8', pos, nl).split(' ');
      if (type === 'missing' || size === undefined) {
        pos = nl + 1;
        continue;
      }
      const start = nl + 1;
      const end = start + Number(size);
      blobs.set(sha as string, out.subarray(start, end));
      pos = end + 1; // content is followed by a newline
    }
    return blobs;
  }

  /** Writes blobs to the object store; returns their SHAs in order. */
  private async writeBlobs(contents: readonly Buffer[]): Promise<string[]> {
    if (contents.length === 0) return [];
    const dir = await mkdtemp(join(this.path, 'wolfe-tmp-'));
    try {
      const paths = await Promise.all(
        contents.map(async (c, i) => {
          const p = join(dir, String(i));
          await writeFile(p, c);
          return p;
        }),
      );
      return await this.hashFiles(paths);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async hashFiles(paths: readonly string[]): Promise<string[]> {
    const out = await this.git({ input: paths.join('\n') + '\n' }).raw(['hash-object', '-w', '--no-filters', '--stdin-paths']);
    const shas = out.split('\n').filter((l) => l !== '');
    if (shas.length !== paths.length || !shas.every((s) => OBJECT_ID.test(s))) {
      throw new Error(`git hash-object returned ${shas.length} ids for ${paths.length} files`);
    }
    return shas;
  }

  /** The tree holding exactly `records` (`mode sha<TAB>path`), built in a temporary index. */
  private async buildTree(records: readonly string[]): Promise<string> {
    const index = join(this.path, `wolfe-index-${randomBytes(6).toString('hex')}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      // --verbose: simple-git waits 50 ms after a process that printed nothing.
      if (records.length > 0) await this.git({ env, input: records.map((r) => `${r}\0`).join('') }).raw(['update-index', '-z', '--verbose', '--index-info']);
      const tree = (await this.git({ env }).raw(['write-tree'])).trim();
      if (!OBJECT_ID.test(tree)) throw new Error(`git write-tree returned ${JSON.stringify(tree)}`);
      return tree;
    } finally {
      await rm(index, { force: true });
      await rm(`${index}.lock`, { force: true });
    }
  }

  private async commitTree(tree: string, parent: string | null, message: string, author: Identity): Promise<string> {
    // --no-gpg-sign: commit-tree honours a commit.gpgSign in the user's git config, which would prompt or fail.
    const args = ['commit-tree', '--no-gpg-sign', tree, ...(parent !== null ? ['-p', parent] : []), '-F', '-'];
    const env = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email };
    const text = message.endsWith('\n') ? message : `${message}\n`;
    const sha = (await this.git({ env, input: text }).raw(args)).trim();
    if (!OBJECT_ID.test(sha)) throw new Error(`git commit-tree returned ${JSON.stringify(sha)}`);
    return sha;
  }

  /** Moves `branch` from `old` (null: must not exist) to `commit`: compare-and-swap. */
  private async updateRef(branch: string, commit: string, old: string | null, retried = false): Promise<void> {
    try {
      await this.updateRefs([{ branch, commit, old }]);
    } catch (err) {
      // Another process moved the branch between our read and our update (or holds its lock).
      const now = await this.branchHead(branch);
      if (now !== old) throw new StaleHeadError(branch, old, now);
      const lock = this.lockFileIn(err);
      if (lock === null) throw err;
      const st = await lstat(lock).catch(() => null);
      const age = st === null ? 0 : Date.now() - st.mtimeMs;
      if (!retried && (st === null || age >= this.staleLockMs)) {
        // Left behind by a git that was killed while this process runs: the same rule as on open.
        if (st !== null) {
          await rm(lock, { force: true });
          this.warn({ kind: 'stale-lock-removed', path: lock, message: `removed ${relative(this.path, lock)}, left behind ${Math.round(age / 1000)}s ago by an interrupted git` });
        }
        return this.updateRef(branch, commit, old, true);
      }
      throw new RepositoryLockedError(relative(this.path, lock), age, this.staleLockMs);
    }
  }

  /** The lock file a failed git command names ("Unable to create '…/refs/heads/dev.lock': File exists"), if it is ours. */
  private lockFileIn(err: unknown): string | null {
    const m = /Unable to create '([^']+\.lock)'/.exec(errorText(err));
    if (!m) return null;
    const abs = resolve(this.path, m[1] as string);
    return abs.startsWith(`${this.path}${sep}`) ? abs : null;
  }

  /** One `update-ref --stdin` transaction: every ref moves from its `old` value, or none does. */
  private async updateRefs(updates: readonly { branch: string; commit: string; old: string | null }[]): Promise<void> {
    const lines = updates.map((u) => `update refs/heads/${u.branch} ${u.commit} ${u.old ?? '0'.repeat(u.commit.length)}\n`);
    // start/commit make git print "start: ok" / "commit: ok" (and nothing is silent, see `resolve`).
    await this.git({ input: `start\n${lines.join('')}commit\n` }).raw(['update-ref', '--stdin']);
  }
}

interface TreeEntry {
  readonly mode: string;
  readonly type: string;
  readonly sha: string;
  readonly size: number;
  readonly path: string;
}

/** Branch names we accept: a safe subset of git's rules (no leading dash, no `..`, no `.lock`, …). */
export function isValidBranchName(name: string): boolean {
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(name)) return false;
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  if (name.includes('..') || name.includes('//') || name === 'HEAD') return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

function assertBranchName(name: string): void {
  if (!isValidBranchName(name)) throw new InvalidArgumentError(`${JSON.stringify(name)} is not a usable branch name`);
}

/** Repository paths we accept: relative, forward slashes, no `.`/`..`/empty segments, no `.git`, no control characters. */
export function isValidRepoPath(path: string): boolean {
  if (path === '' || path.length > 4096 || path.startsWith('/') || path.includes('\\')) return false;
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && part.toLowerCase() !== '.git');
}

function assertPath(path: string, what: string): void {
  if (!isValidRepoPath(path) || path.includes('\n')) throw new InvalidArgumentError(`${what}: ${JSON.stringify(path)} is not a usable path`);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim();
}

function assertRepoPath(path: string): void {
  if (!isValidRepoPath(path)) throw new InvalidArgumentError(`commitFiles: ${JSON.stringify(path)} is not a usable file path`);
}

function assertIdentity(id: Identity, what: string): void {
  const bad = (s: string): boolean => s.trim() === '' || /[<>\u0000-\u001f]/.test(s);
  if (bad(id.name) || bad(id.email)) throw new InvalidArgumentError(`${what}: ${JSON.stringify(id)} is not a usable name and email`);
}
