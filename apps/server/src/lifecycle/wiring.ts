import {
  type CompileRunbook,
  DEFAULT_PROJECT,
  type GateDeps,
  GitOpsMonitor,
  type Logger,
  type ProjectRegistry,
  RunbookLifecycle,
  type RunbookSandbox,
  type RunbookTestRunner,
  type Store,
  systemClock,
} from '@wolfe/application';
import { SandboxTestRunner } from './test-runner';
import { typeCheckRunbook } from './typecheck';

export { typeCheckedCompile } from './typecheck';

/** The embedded project: `<data dir>/repos/default.git`. */
export { DEFAULT_PROJECT };

export interface LifecycleWiring {
  readonly service: RunbookLifecycle;
  readonly gitops: GitOpsMonitor;
  readonly projects: ProjectRegistry;
  stop(): Promise<void>;
}

export interface LifecycleWiringOptions {
  /** Every project this process serves (ProjectHub): the registry may grow while it runs. */
  readonly projects: ProjectRegistry;
  readonly store: Store;
  readonly sandbox: RunbookSandbox;
  /** The esbuild compiler (without the type-check: that is its own gate). */
  readonly compile: CompileRunbook;
  readonly logger: Logger;
  /** How often GitOps looks for heads loaded from outside the API (the catalog's poll interval). */
  readonly refreshMs: number;
  /** The runbooks' own tests (the `tests` gate); default: `wolfe test`'s runner in `sandbox`; null: not run. */
  readonly tests?: RunbookTestRunner | null;
}

/**
 * Wires the runbook lifecycle over the already running application and its projects: the
 * gates, the use-cases, the GitOps monitor. Each project's repository adapter (and, with a
 * remote, its push after every commit) comes from the registry.
 */
export function startLifecycle(o: LifecycleWiringOptions): LifecycleWiring {
  const tests = o.tests === undefined ? new SandboxTestRunner(o.sandbox) : o.tests;
  const gates: GateDeps = {
    compile: o.compile,
    typeCheck: typeCheckRunbook,
    tests,
    store: o.store,
    sandbox: o.sandbox,
    logger: o.logger,
    now: () => Date.now(),
  };
  const gitops = new GitOpsMonitor(o.projects, gates, o.logger, () => new Date());
  const service = new RunbookLifecycle({
    projects: o.projects,
    store: o.store,
    sandbox: o.sandbox,
    compile: o.compile,
    typeCheck: typeCheckRunbook,
    tests,
    clock: systemClock,
    logger: o.logger,
    onCommitted: (p, env, commit) => gitops.noteOwnCommit(p, env, commit),
    validation: (p, env, name) => gitops.validation(p, env, name),
  });
  gitops.start(o.refreshMs > 0 ? o.refreshMs : 1000);
  return {
    service,
    gitops,
    projects: o.projects,
    stop: async () => {
      await gitops.stop();
    },
  };
}
