import {
  type CompileRunbook,
  DEFAULT_LIFECYCLE_SETTINGS,
  ENVIRONMENTS,
  type GateDeps,
  GitOpsMonitor,
  type LifecycleProject,
  type LifecycleSettings,
  type Logger,
  type ProjectRegistry,
  RunbookLifecycle,
  type RunbookSandbox,
  type RunbookTestRunner,
  type Store,
  systemClock,
  type Wolfe,
} from '@wolfe/application';
import type { RemoteSpec, RunbookRepository } from '@wolfe/git';
import { GitRunbookRepository } from './git-repository';
import { RemoteSync } from './remote-sync';
import { typeCheckRunbook } from './typecheck';

export { typeCheckedCompile } from './typecheck';

/** The embedded project: `<data dir>/repos/default.git`. */
export const DEFAULT_PROJECT = 'default';

export interface LifecycleWiring {
  readonly service: RunbookLifecycle;
  readonly gitops: GitOpsMonitor;
  readonly projects: ProjectRegistry;
  /**
   * Binds the repository to a git remote and keeps the environment branches in step with it
   * (fetch + fast-forward what others pushed, push what Wolfe committed; never forced). Not
   * called by the server yet: its settings (URL, token or ssh key) belong in WOLFE_CONFIG.
   */
  bindRemote(spec: RemoteSpec, intervalMs?: number): Promise<RemoteSync>;
  stop(): Promise<void>;
}

export interface LifecycleWiringOptions {
  readonly repo: RunbookRepository;
  readonly wolfe: Wolfe;
  readonly store: Store;
  readonly sandbox: RunbookSandbox;
  /** The esbuild compiler (without the type-check: that is its own gate). */
  readonly compile: CompileRunbook;
  readonly logger: Logger;
  /** How often GitOps looks for heads loaded from outside the API (the catalog's poll interval). */
  readonly refreshMs: number;
  readonly settings?: Partial<LifecycleSettings>;
  readonly tests?: RunbookTestRunner | null;
}

/** One catalog refresh at a time from the lifecycle (the poll timer runs its own). */
function serialized(fn: () => Promise<unknown>): () => Promise<unknown> {
  let chain: Promise<unknown> = Promise.resolve();
  return () => (chain = chain.catch(() => undefined).then(fn));
}

/**
 * Wires the runbook lifecycle of the embedded project over the already running application:
 * the repository adapter, the gates, the GitOps monitor. Today one project (`default`); the
 * registry is where several repositories will plug in.
 */
export function startLifecycle(o: LifecycleWiringOptions): LifecycleWiring {
  const refresh = serialized(() => o.wolfe.catalog.refresh());
  let remote: { url: string; sync: RemoteSync } | null = null;
  const project: LifecycleProject = {
    name: DEFAULT_PROJECT,
    repository: new GitRunbookRepository(o.repo),
    settings: { ...DEFAULT_LIFECYCLE_SETTINGS, ...o.settings },
    runtime: { snapshot: (env) => o.wolfe.catalog.snapshot(env), refresh, kick: () => o.wolfe.dispatcher.kick() },
    get remoteUrl() {
      return remote?.url ?? null;
    },
  };
  const projects: ProjectRegistry = { list: () => [project], get: (name) => (name === project.name ? project : null) };
  const gates: GateDeps = {
    compile: o.compile,
    typeCheck: typeCheckRunbook,
    tests: o.tests ?? null,
    store: o.store,
    sandbox: o.sandbox,
    logger: o.logger,
    now: () => Date.now(),
  };
  const gitops = new GitOpsMonitor(projects, gates, o.logger, () => new Date());
  const service = new RunbookLifecycle({
    projects,
    store: o.store,
    sandbox: o.sandbox,
    compile: o.compile,
    typeCheck: typeCheckRunbook,
    tests: o.tests ?? null,
    clock: systemClock,
    logger: o.logger,
    onCommitted: (p, env, commit) => {
      gitops.noteOwnCommit(p, env, commit);
      if (remote) void remote.sync.sync(); // push it now rather than at the next round
    },
    validation: (p, env, name) => gitops.validation(p, env, name),
  });
  gitops.start(o.refreshMs > 0 ? o.refreshMs : 1000);
  return {
    service,
    gitops,
    projects,
    bindRemote: async (spec, intervalMs = 5000) => {
      await o.repo.bindRemote(spec);
      const sync = new RemoteSync(o.repo, ENVIRONMENTS, o.logger, refresh);
      remote = { url: spec.url, sync };
      await sync.sync();
      sync.start(intervalMs);
      return sync;
    },
    stop: async () => {
      await remote?.sync.stop();
      await gitops.stop();
    },
  };
}
