import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentDto, ProjectSyncResultDto } from '@wolfe/api-types';
import {
  DEFAULT_LIFECYCLE_SETTINGS,
  DEFAULT_PROJECT,
  ENVIRONMENTS,
  LifecycleConflictError,
  type LifecycleProject,
  LifecycleNotFoundError,
  LifecycleRefusedError,
  type LifecycleSettings,
  type Logger,
  PROJECT_NAME_PATTERN,
  type ProjectRecord,
  type ProjectRegistry,
  type ProjectRemoteRecord,
  type RunbookCatalog,
  type Store,
  type UnavailableProject,
  type Wolfe,
} from '@wolfe/application';
import { assertRemoteUrl, type RemoteAuth, type RemoteSpec, RunbookRepository } from '@wolfe/git';
import { constantTimeEquals } from '../intake/signatures';
import { DEFAULT_POLL_INTERVAL_MS, type ProjectConfig } from '../config';
import { GitRunbookRepository } from './git-repository';
import { RemoteSync } from './remote-sync';

const BRANCHES = ENVIRONMENTS;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const WOLFE_AUTHOR = { name: 'Wolfe', email: 'wolfe@localhost' };
/** A webhook answer waits at most this long for its sync round (GitHub gives up after 10 s). */
const WEBHOOK_WAIT_MS = 8000;

/** Where a project is reached and how it behaves; resolved (secrets included) only in memory. */
interface ProjectDefinition {
  readonly name: string;
  readonly source: 'embedded' | 'config' | 'api';
  readonly remote: { readonly url: string; readonly auth: RemoteAuth | undefined } | null;
  readonly settings: LifecycleSettings;
  readonly pollIntervalMs: number;
  readonly webhookSecret: string | null;
}

interface Served {
  readonly project: LifecycleProject;
  readonly repo: RunbookRepository;
  readonly catalog: RunbookCatalog;
  readonly sync: RemoteSync | null;
  readonly pollIntervalMs: number;
  readonly webhookSecret: string | null;
}

/** Why a project cannot be created (the HTTP edge maps it: exists → 409, invalid → 422). */
export class ProjectCreationError extends Error {
  override readonly name = 'ProjectCreationError';
  constructor(
    readonly reason: 'exists' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** `POST /api/v1/projects`, validated by the controller's schema (shapes), checked here (meaning). */
export interface CreateProjectInput {
  readonly name: string;
  readonly remote?: {
    readonly url: string;
    readonly tokenEnv?: string;
    readonly username?: string;
    readonly sshKeyFile?: string;
    readonly knownHostsFile?: string;
  };
  readonly pollIntervalMs?: number;
  readonly allowSkipTest?: boolean;
  readonly replayEvents?: number;
  readonly webhookSecretEnv?: string;
}

export type WebhookCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface ProjectHubOptions {
  readonly dataDir: string;
  /** The embedded repository of `default` (already open and served by `wolfe`). */
  readonly defaultRepo: RunbookRepository;
  readonly wolfe: Wolfe;
  readonly store: Store;
  readonly logger: Logger;
  /** Projects of WOLFE_CONFIG (`default` there only sets its settings). */
  readonly config: readonly ProjectConfig[];
  /** Where `tokenEnv` / `webhookSecretEnv` of API-created projects are looked up (process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * How often the store is read for projects created by other processes of the deployment, and
   * unavailable projects are retried (ms); 0 = never (tests).
   */
  readonly reconcileMs: number;
  /** An unavailable project is tried again at most this often (ms). Default 30 s. */
  readonly retryMs?: number;
}

/**
 * The projects this process serves (the lifecycle's ProjectRegistry): `default` (embedded),
 * those of WOLFE_CONFIG and those created through the API (kept in the store, so every process
 * sharing the store serves them and they survive a restart). Each owns one bare repository
 * `<data dir>/repos/<name>.git`; one with a remote is cloned from it and kept in sync (fetch +
 * fast-forward every `pollInterval` and on the sync webhook; Wolfe's commits pushed; a diverged
 * branch reported, never overwritten).
 */
export class ProjectHub implements ProjectRegistry {
  private readonly served = new Map<string, Served>();
  private readonly down = new Map<string, { reason: string; retryAt: number; definition: ProjectDefinition | null }>();
  private readonly provisioning = new Map<string, Promise<unknown>>();
  private readonly configured: ReadonlyMap<string, ProjectConfig>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private reconciling: Promise<void> | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly o: ProjectHubOptions) {
    this.configured = new Map(o.config.map((p) => [p.name, p]));
  }

  // ---- registry ----------------------------------------------------------------------------

  list(): readonly LifecycleProject[] {
    return this.names().map((n) => (this.served.get(n) as Served).project);
  }

  get(name: string): LifecycleProject | null {
    return this.served.get(name)?.project ?? null;
  }

  unavailable(): readonly UnavailableProject[] {
    return [...this.down].map(([name, d]) => ({ name, reason: d.reason })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Served names, `default` first. */
  names(): string[] {
    return [...this.served.keys()].sort((a, b) => (a === DEFAULT_PROJECT ? -1 : b === DEFAULT_PROJECT ? 1 : a < b ? -1 : 1));
  }

  // ---- start / stop ------------------------------------------------------------------------

  /**
   * Serves `default` and provisions the projects of the configuration and of the store (cloned
   * or opened, catalogs loaded). Call before `wolfe.start()`: events accepted before a stop are
   * then routed with every project. A project that cannot be provisioned is logged, listed as
   * unavailable and retried; the others are served.
   */
  async open(): Promise<void> {
    const d = this.configured.get(DEFAULT_PROJECT);
    await this.serve(
      {
        name: DEFAULT_PROJECT,
        source: 'embedded',
        remote: null,
        settings: { ...DEFAULT_LIFECYCLE_SETTINGS, ...(d ? { allowSkipTest: d.allowSkipTest, replayEvents: d.replayEvents } : {}) },
        pollIntervalMs: 0,
        webhookSecret: null,
      },
      this.o.defaultRepo,
      this.o.wolfe.catalog,
    );
    const definitions = [...this.configured.values()].filter((p) => p.name !== DEFAULT_PROJECT).map(fromConfig);
    await Promise.all(definitions.map((def) => this.tryProvision(def)));
    await this.adoptStored();
  }

  /** Starts the remote syncs' timers and the reconciliation with the store. */
  start(): void {
    this.started = true;
    for (const s of this.served.values()) s.sync?.start(s.pollIntervalMs);
    if (this.o.reconcileMs > 0) {
      this.timer = setInterval(() => void this.reconcile(), this.o.reconcileMs);
      this.timer.unref?.();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling?.catch(() => undefined);
    await Promise.allSettled([...this.provisioning.values()]);
    await Promise.all([...this.served.values()].map((s) => s.sync?.stop()));
  }

  /** Reads the store for projects created elsewhere and retries the unavailable ones (one run at a time). */
  reconcile(): Promise<void> {
    this.reconciling ??= (async () => {
      try {
        await this.adoptStored();
        const now = Date.now();
        for (const [name, d] of [...this.down]) {
          if (d.definition === null || d.retryAt > now || this.served.has(name)) continue;
          await this.tryProvision(d.definition);
        }
      } catch (err) {
        this.o.logger.error({ err: String(err) }, 'could not reconcile the projects with the store; will retry');
      }
    })().finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  // ---- create ------------------------------------------------------------------------------

  /**
   * Creates a project: the name is claimed in the store first (atomic: two processes cannot both
   * create it), then the repository is cloned (or created empty) and served. If that fails, the
   * record and the folder are removed and the reason is given.
   */
  async create(input: CreateProjectInput, actor: string): Promise<void> {
    const name = input.name;
    if (!PROJECT_NAME_PATTERN.test(name)) throw new ProjectCreationError('invalid', `name ${JSON.stringify(name)}: use 1 to 63 lowercase letters, digits and dashes, not starting with a dash`);
    if (this.served.has(name) || this.configured.has(name) || this.down.has(name) || this.provisioning.has(name) || name === DEFAULT_PROJECT) {
      throw new ProjectCreationError('exists', `project ${name} already exists`);
    }
    const record: ProjectRecord = {
      name,
      remote: input.remote
        ? {
            url: input.remote.url,
            tokenEnv: input.remote.tokenEnv ?? null,
            username: input.remote.username ?? null,
            sshKeyFile: input.remote.sshKeyFile ?? null,
            knownHostsFile: input.remote.knownHostsFile ?? null,
          }
        : null,
      settings: {
        ...(input.allowSkipTest !== undefined ? { allowSkipTest: input.allowSkipTest } : {}),
        ...(input.replayEvents !== undefined ? { replayEvents: input.replayEvents } : {}),
        ...(input.pollIntervalMs !== undefined ? { pollIntervalMs: input.pollIntervalMs } : {}),
        ...(input.webhookSecretEnv !== undefined ? { webhookSecretEnv: input.webhookSecretEnv } : {}),
      },
      createdAt: new Date().toISOString(),
      createdBy: actor,
    };
    // Everything that can be checked without git, before anything is written.
    const definition = this.fromRecord(record);
    if (typeof definition === 'string') throw new ProjectCreationError('invalid', definition);
    if (record.remote?.sshKeyFile) await assertReadableFile(record.remote.sshKeyFile, 'remote.sshKeyFile');
    if (record.remote?.knownHostsFile) await assertReadableFile(record.remote.knownHostsFile, 'remote.knownHostsFile');

    let release: () => void = () => undefined;
    this.provisioning.set(name, new Promise<void>((r) => (release = r)));
    try {
      const claimed = await this.o.store.projects.create(record);
      if (!claimed.created) throw new ProjectCreationError('exists', `project ${name} already exists (created by ${claimed.existing.createdBy} at ${claimed.existing.createdAt})`);
      const path = this.repoPath(name);
      const fresh = !(await exists(path));
      try {
        await this.provision(definition);
      } catch (err) {
        await this.o.store.projects.delete(name).catch(() => undefined);
        if (fresh) await rm(path, { recursive: true, force: true }).catch(() => undefined);
        throw new ProjectCreationError('invalid', `project ${name} was not created: ${reasonOf(err)}`);
      }
      this.o.logger.info({ project: name, remote: record.remote?.url ?? null, actor }, `project ${name} created by ${actor}${record.remote ? ` from ${record.remote.url}` : ' (empty)'}`);
    } finally {
      this.provisioning.delete(name);
      release();
    }
  }

  // ---- sync --------------------------------------------------------------------------------

  /** One sync round now (the webhook): waits for it up to a few seconds. */
  async syncNow(name: string): Promise<ProjectSyncResultDto> {
    const s = this.served.get(name);
    if (!s) throw new LifecycleNotFoundError(`no project ${JSON.stringify(name)}; known projects: ${this.names().join(', ')}`);
    if (!s.sync) throw new LifecycleRefusedError(`project ${name} has no git remote: there is nothing to fetch (its repository is ${this.repoPath(name)})`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      s.sync.sync().then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), WEBHOOK_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const heads: Partial<Record<EnvironmentDto, string>> = {};
    for (const env of this.o.wolfe.catalogs.environments) {
      const snap = s.catalog.snapshot(env);
      if (snap) heads[env] = snap.version;
    }
    return { project: name, done, sync: s.sync.state(), heads };
  }

  /**
   * A push hook's signature, checked over the raw body with the project's webhook secret, in
   * constant time: GitHub's (and Gitea's, Bitbucket's) `X-Hub-Signature-256: sha256=<hex>`
   * (Bitbucket Server: `X-Hub-Signature`), or GitLab's `X-Gitlab-Token: <secret>`. The reason
   * never says whether the project exists.
   */
  verifyWebhook(name: string, headers: IncomingHttpHeaders, body: Buffer): WebhookCheck {
    const secret = this.served.get(name)?.webhookSecret ?? null;
    const hub = header(headers, 'x-hub-signature-256') ?? header(headers, 'x-hub-signature');
    const gitlab = header(headers, 'x-gitlab-token');
    const HOW =
      'authenticate with Authorization: Bearer <admin token>, or sign the body with the project\'s webhook secret (X-Hub-Signature-256: sha256=<hex HMAC-SHA256>; GitLab: X-Gitlab-Token)';
    if (hub === undefined && gitlab === undefined) return { ok: false, reason: `missing credentials: ${HOW}` };
    // Always computed (with a throwaway key when the project has no secret): the time taken
    // does not tell whether the project exists or has a secret.
    const key = secret ?? 'no secret configured for this project';
    let ok = false;
    if (hub !== undefined) {
      const m = /^sha256=([0-9a-fA-F]{64})$/.exec(hub.trim());
      const expected = createHmac('sha256', key).update(body).digest();
      const got = m ? Buffer.from(m[1] as string, 'hex') : Buffer.alloc(expected.length);
      ok = timingSafeEqual(got, expected) && m !== null;
    } else if (gitlab !== undefined) {
      ok = constantTimeEquals(gitlab, key);
    }
    if (ok && secret !== null) return { ok: true };
    return { ok: false, reason: `${hub !== undefined ? 'X-Hub-Signature-256' : 'X-Gitlab-Token'} does not match the project's webhook secret (or the project has none): ${HOW}` };
  }

  // ---- internals ---------------------------------------------------------------------------

  private repoPath(name: string): string {
    return join(this.o.dataDir, 'repos', `${name}.git`);
  }

  /** Projects in the store this process does not serve yet (created by another process, or before a restart). */
  private async adoptStored(): Promise<void> {
    const records = await this.o.store.projects.list();
    const stored = new Set(records.map((r) => r.name));
    for (const [name, d] of [...this.down]) {
      // Its creation failed elsewhere and was rolled back: nothing to retry.
      if (d.definition?.source === 'api' && !stored.has(name)) this.down.delete(name);
    }
    const fresh = records.filter((r) => !this.served.has(r.name) && !this.down.has(r.name) && !this.provisioning.has(r.name));
    await Promise.all(
      fresh.map(async (r) => {
        if (this.configured.has(r.name) || r.name === DEFAULT_PROJECT) {
          this.o.logger.warn({ project: r.name }, `project ${r.name} is in the store and in WOLFE_CONFIG: the configuration's wins`);
          return;
        }
        const def = this.fromRecord(r);
        if (typeof def === 'string') {
          this.markDown(r.name, def, null);
          return;
        }
        await this.tryProvision(def);
      }),
    );
  }

  private async tryProvision(def: ProjectDefinition): Promise<void> {
    if (this.stopped || this.served.has(def.name) || this.provisioning.has(def.name)) return;
    const work = this.provision(def);
    this.provisioning.set(def.name, work);
    try {
      await work;
      this.down.delete(def.name);
    } catch (err) {
      this.markDown(def.name, reasonOf(err), def);
    } finally {
      this.provisioning.delete(def.name);
    }
  }

  private markDown(name: string, reason: string, definition: ProjectDefinition | null): void {
    const before = this.down.get(name);
    this.down.set(name, { reason, retryAt: Date.now() + (this.o.retryMs ?? 30_000), definition });
    if (before?.reason !== reason) this.o.logger.error({ project: name, reason }, `project ${name} cannot be served: ${reason}${definition ? '; will retry' : ''}`);
  }

  /** Opens or clones the repository, loads the catalog, starts the sync: then the project is served. */
  private async provision(def: ProjectDefinition): Promise<void> {
    const path = this.repoPath(def.name);
    let repo: RunbookRepository;
    if (def.remote === null) {
      repo = await openOrCreateEmpty(path, def.name);
    } else {
      const spec: RemoteSpec = def.remote.auth ? { url: def.remote.url, auth: def.remote.auth } : { url: def.remote.url };
      const opened = (await exists(path)) ? await RunbookRepository.open({ path, branches: BRANCHES }) : null;
      const branches = opened ? await opened.branches() : [];
      if (opened && BRANCHES.every((b) => branches.includes(b))) {
        // Cloned before (a restart): serve the local copy at once; the first sync round catches up.
        repo = opened;
        await repo.bindRemote(spec);
      } else {
        const cloned = await RunbookRepository.clone({ path, branches: BRANCHES, remote: spec });
        repo = cloned.repo;
        await createMissingBranches(repo, path, def.name);
      }
    }
    if (this.stopped) return;
    const source = { head: (env: (typeof ENVIRONMENTS)[number]) => repo.head(env), readTree: (v: string) => repo.readTree(v) };
    let catalog: RunbookCatalog | null = null;
    const sync = def.remote
      ? new RemoteSync(repo, BRANCHES, this.o.logger, () => catalog?.refresh() ?? Promise.resolve(), { project: def.name, url: def.remote.url })
      : null;
    // Catch up (and push branches the remote lacks) before serving; a failure is logged and retried by the poll.
    await sync?.sync();
    catalog = await this.o.wolfe.addProject(def.name, source);
    await this.serve(def, repo, catalog, sync);
    if (this.started) sync?.start(def.pollIntervalMs);
  }

  private async serve(def: ProjectDefinition, repo: RunbookRepository, catalog: RunbookCatalog, sync: RemoteSync | null = null): Promise<void> {
    const name = def.name;
    const hooks = sync
      ? {
          before: async (branch: string) => {
            await sync.sync();
            const diverged = sync.diverged(branch);
            if (diverged !== null) throw new LifecycleConflictError(`project ${name}: ${diverged}; nothing was committed`, null);
          },
          after: () => void sync.sync(),
        }
      : null;
    const wolfe = this.o.wolfe;
    const project: LifecycleProject = {
      name,
      repository: new GitRunbookRepository(repo, hooks),
      settings: def.settings,
      runtime: { snapshot: (env) => catalog.snapshot(env), refresh: () => catalog.refresh(), kick: () => wolfe.dispatcher.kick() },
      remoteUrl: def.remote?.url ?? null,
      source: def.source,
      webhook: def.webhookSecret !== null,
      syncState: () => (sync ? { ...sync.state(), pollIntervalMs: def.pollIntervalMs } : null),
    };
    this.served.set(name, { project, repo, catalog, sync, pollIntervalMs: def.pollIntervalMs, webhookSecret: def.webhookSecret });
  }

  /** A stored project as a definition (its token and webhook secret read from the environment), or why it cannot be. */
  private fromRecord(r: ProjectRecord): ProjectDefinition | string {
    const env = (field: string, variable: string, min = 1): string | { error: string } => {
      if (!ENV_NAME.test(variable)) return { error: `${field}: ${JSON.stringify(variable)} is not an environment variable name (letters, digits and _)` };
      const value = this.o.env[variable];
      if (value === undefined || value === '') return { error: `${field}: environment variable ${variable} is not set on the server: set it in Wolfe's environment (and restart)` };
      if (value.length < min) return { error: `${field}: environment variable ${variable} is too short for a secret (at least ${min} characters)` };
      return value;
    };
    let remote: ProjectDefinition['remote'] = null;
    if (r.remote !== null) {
      const problem = remoteProblem(r.remote);
      if (problem !== null) return problem;
      let auth: RemoteAuth | undefined;
      if (r.remote.tokenEnv !== null) {
        const token = env('remote.tokenEnv', r.remote.tokenEnv);
        if (typeof token !== 'string') return token.error;
        if (/[\s\u0000-\u001f\u007f]/.test(token)) return `remote.tokenEnv: environment variable ${r.remote.tokenEnv} contains spaces or control characters`;
        auth = { kind: 'token', token, ...(r.remote.username !== null ? { username: r.remote.username } : {}) };
      } else if (r.remote.sshKeyFile !== null) {
        auth = { kind: 'ssh', privateKeyPath: r.remote.sshKeyFile, ...(r.remote.knownHostsFile !== null ? { knownHostsPath: r.remote.knownHostsFile } : {}) };
      }
      remote = { url: r.remote.url, auth };
    }
    let webhookSecret: string | null = null;
    if (r.settings.webhookSecretEnv !== undefined) {
      if (remote === null) return 'webhookSecretEnv: the sync webhook fetches the remote; this project has none';
      const v = env('webhookSecretEnv', r.settings.webhookSecretEnv, 16);
      if (typeof v !== 'string') return v.error;
      webhookSecret = v;
    }
    return {
      name: r.name,
      source: 'api',
      remote,
      settings: { ...DEFAULT_LIFECYCLE_SETTINGS, allowSkipTest: r.settings.allowSkipTest ?? false, replayEvents: r.settings.replayEvents ?? DEFAULT_LIFECYCLE_SETTINGS.replayEvents },
      pollIntervalMs: r.settings.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      webhookSecret,
    };
  }
}

function fromConfig(p: ProjectConfig): ProjectDefinition {
  let auth: RemoteAuth | undefined;
  if (p.remote?.token) auth = { kind: 'token', token: p.remote.token, ...(p.remote.username !== null ? { username: p.remote.username } : {}) };
  else if (p.remote?.sshKeyFile) auth = { kind: 'ssh', privateKeyPath: p.remote.sshKeyFile, ...(p.remote.knownHostsFile !== null ? { knownHostsPath: p.remote.knownHostsFile } : {}) };
  return {
    name: p.name,
    source: 'config',
    remote: p.remote ? { url: p.remote.url, auth } : null,
    settings: { ...DEFAULT_LIFECYCLE_SETTINGS, allowSkipTest: p.allowSkipTest, replayEvents: p.replayEvents },
    pollIntervalMs: p.pollIntervalMs,
    webhookSecret: p.webhookSecret,
  };
}

function remoteProblem(r: ProjectRemoteRecord): string | null {
  try {
    assertRemoteUrl(r.url);
  } catch (err) {
    return `remote.url: ${reasonOf(err)}`;
  }
  if (r.tokenEnv !== null && r.sshKeyFile !== null) return 'remote: give either tokenEnv (https) or sshKeyFile (ssh), not both';
  if (r.username !== null && r.tokenEnv === null) return 'remote.username goes with remote.tokenEnv';
  if (r.knownHostsFile !== null && r.sshKeyFile === null) return 'remote.knownHostsFile goes with remote.sshKeyFile';
  for (const [field, p] of [['remote.sshKeyFile', r.sshKeyFile], ['remote.knownHostsFile', r.knownHostsFile]] as const) {
    if (p !== null && (!p.startsWith('/') || /[\u0000-\u001f\u007f]/.test(p))) return `${field}: must be an absolute path on the server`;
  }
  return null;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

async function assertReadableFile(path: string, field: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) throw new ProjectCreationError('invalid', `${field}: ${path} is not a file on the server`);
}

/** An empty project: the three branches on one empty commit (or the repository as it is). */
async function openOrCreateEmpty(path: string, name: string): Promise<RunbookRepository> {
  const empty = await mkdtemp(join(tmpdir(), `wolfe-new-project-${name}-`));
  try {
    return await RunbookRepository.open({ path, seedFrom: empty, branches: BRANCHES });
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}

/**
 * After a clone: the environment branches the remote lacks. None at all (an empty remote, or one
 * with only `main`): the three start on one empty commit. Some: each missing one starts empty.
 * The first sync round pushes them.
 */
async function createMissingBranches(repo: RunbookRepository, path: string, name: string): Promise<void> {
  const local = new Set(await repo.branches());
  const missing = BRANCHES.filter((b) => !local.has(b));
  if (missing.length === 0) return;
  if (missing.length === BRANCHES.length) {
    await openOrCreateEmpty(path, name); // seeds only a repository without local branches
    return;
  }
  for (const branch of missing) {
    await repo.commitFiles(branch, [], { message: `Create ${branch} for project ${name}`, author: WOLFE_AUTHOR, expectedHead: null });
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
