import { DEFAULT_PROJECT } from '@wolfe/router';
import { buildCatalog, type RunbookProblem } from '@wolfe/runbooks';

export { DEFAULT_PROJECT } from '@wolfe/router';

/** Project names: like runbook names (1 to 63 lowercase letters, digits and dashes; not starting with a dash). */
export const PROJECT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
import type { Environment } from './ports/records';
import type { CompileRunbook, LoadedRunbook, Logger, RunbookSource } from './ports/runtime';

export interface CatalogSnapshot {
  /** The project (git repository) whose branch this is. */
  readonly project: string;
  readonly env: Environment;
  readonly version: string;
  readonly runbooks: readonly LoadedRunbook[];
  /** Runbooks that failed to load at this version: the others keep working. */
  readonly problems: readonly (RunbookProblem & { readonly runbook: string })[];
  /**
   * Runbooks that fail to load at this version but loaded before: the last valid version
   * keeps running (it is in `runbooks` with its older `version`) until a fix lands.
   */
  readonly keptPrevious: readonly { readonly runbook: string; readonly version: string }[];
  readonly loadedAt: Date;
}

interface VersionEntry {
  readonly version: string;
  readonly runbooks: ReadonlyMap<string, LoadedRunbook>;
  readonly problems: CatalogSnapshot['problems'];
}

/**
 * The runbooks each environment of ONE project serves, compiled once per commit (not per
 * execution). `refresh()` follows the branch heads; `find()` returns a runbook at an exact
 * version so that an execution queued at version X runs X even after a newer commit lands.
 */
export class RunbookCatalog {
  private readonly current = new Map<Environment, CatalogSnapshot>();
  /** Recently loaded versions (shared across environments: same commit, same code). */
  private readonly versions = new Map<string, Promise<VersionEntry>>();
  private static readonly KEEP_VERSIONS = 16;

  constructor(
    private readonly source: RunbookSource,
    private readonly compile: CompileRunbook,
    private readonly envs: readonly Environment[],
    private readonly logger: Logger,
    /** The project whose repository `source` reads. */
    readonly project: string = DEFAULT_PROJECT,
  ) {}

  get environments(): readonly Environment[] {
    return this.envs;
  }

  serves(env: Environment): boolean {
    return this.envs.includes(env);
  }

  snapshot(env: Environment): CatalogSnapshot | null {
    return this.current.get(env) ?? null;
  }

  /**
   * Loads any environment whose branch head moved. Returns the environments that changed.
   * Calls are serialized (the poll timer and an in-process promotion may overlap).
   */
  refresh(): Promise<Environment[]> {
    const run = this.refreshing.then(() => this.refreshNow());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private refreshing: Promise<unknown> = Promise.resolve();

  private async refreshNow(): Promise<Environment[]> {
    const changed: Environment[] = [];
    for (const env of this.envs) {
      const head = await this.source.head(env);
      const previous = this.current.get(env);
      if (previous?.version === head) continue;
      const entry = await this.load(head);
      const runbooks = new Map(entry.runbooks);
      const keptPrevious: { runbook: string; version: string }[] = [];
      // GitOps safety: a commit that breaks a runbook does not take it away. The runbook's
      // last valid version keeps serving until a valid one lands (deleting it is explicit).
      for (const p of entry.problems) {
        const before = previous?.runbooks.find((r) => r.name === p.runbook);
        if (before && !runbooks.has(p.runbook)) {
          runbooks.set(p.runbook, before);
          keptPrevious.push({ runbook: p.runbook, version: before.version });
        }
      }
      const snap: CatalogSnapshot = {
        project: this.project,
        env,
        version: head,
        runbooks: [...runbooks.values()],
        problems: entry.problems,
        keptPrevious,
        loadedAt: new Date(),
      };
      this.current.set(env, snap);
      changed.push(env);
      const where = this.project === DEFAULT_PROJECT ? env : `${env} of project ${this.project}`;
      this.logger.info(
        { project: this.project, env, version: head, runbooks: snap.runbooks.map((r) => r.name), problems: snap.problems.length, keptPrevious },
        `loaded ${snap.runbooks.length} runbook(s) for ${where} at ${head.slice(0, 12)}`,
      );
      for (const k of keptPrevious) {
        this.logger.warn(
          { project: this.project, env, runbook: k.runbook, version: head, running: k.version },
          `runbook ${k.runbook} is invalid at ${head.slice(0, 12)} in ${where}; version ${k.version.slice(0, 12)} keeps running`,
        );
      }
    }
    return changed;
  }

  async find(env: Environment, name: string, version: string): Promise<LoadedRunbook | null> {
    const snap = this.current.get(env);
    const current = snap?.runbooks.find((r) => r.name === name && r.version === version);
    if (current) return current;
    const entry = await this.load(version);
    return entry.runbooks.get(name) ?? null;
  }

  private load(version: string): Promise<VersionEntry> {
    let entry = this.versions.get(version);
    if (!entry) {
      entry = this.build(version);
      entry.catch(() => this.versions.delete(version));
      this.versions.set(version, entry);
      while (this.versions.size > RunbookCatalog.KEEP_VERSIONS) {
        const oldest = this.versions.keys().next().value as string;
        this.versions.delete(oldest);
      }
    }
    return entry;
  }

  private async build(version: string): Promise<VersionEntry> {
    const files = await this.source.readTree(version);
    const built = await buildCatalog(files, (name, folder) => this.compile(name, folder));
    for (const p of built.problems) {
      const where = `${p.file}${p.line === null ? '' : `:${p.line}`}`;
      const project = this.project === DEFAULT_PROJECT ? '' : ` of project ${this.project}`;
      this.logger.warn(
        { project: this.project, version, runbook: p.runbook, file: p.file, field: p.field, line: p.line },
        `runbook ${p.runbook}${project} not loaded at ${version.slice(0, 12)}: ${where}: ${p.message}`,
      );
    }
    const runbooks = new Map<string, LoadedRunbook>();
    for (const r of built.runbooks) runbooks.set(r.name, { name: r.name, version, manifest: r.manifest, compiled: r.compiled });
    return { version, runbooks, problems: built.problems };
  }
}

/** Finds a runbook of a project at an exact version (what an execution runs). */
export interface RunbookFinder {
  // A property (not a method): its parameters are checked strictly, so a single project's
  // catalog (find(env, name, version)) is not mistaken for one.
  readonly find: (project: string, env: Environment, name: string, version: string) => Promise<LoadedRunbook | null>;
}

/**
 * Every project's catalog (one `RunbookCatalog` per git repository). Routing considers every
 * project's runbooks of the event's environment; an execution runs the version of ITS
 * project's repository. Projects can be added while the application runs (created through the
 * API, or by another process of the deployment).
 */
export class RunbookCatalogs implements RunbookFinder {
  private readonly byProject = new Map<string, RunbookCatalog>();

  constructor(
    private readonly envs: readonly Environment[],
    catalogs: readonly RunbookCatalog[] = [],
  ) {
    for (const c of catalogs) this.add(c);
  }

  get environments(): readonly Environment[] {
    return this.envs;
  }

  serves(env: Environment): boolean {
    return this.envs.includes(env);
  }

  /** The projects, `default` first, then by name. */
  projects(): string[] {
    return [...this.byProject.keys()].sort((a, b) => (a === DEFAULT_PROJECT ? -1 : b === DEFAULT_PROJECT ? 1 : a < b ? -1 : a > b ? 1 : 0));
  }

  get(project: string): RunbookCatalog | null {
    return this.byProject.get(project) ?? null;
  }

  list(): RunbookCatalog[] {
    return this.projects().map((p) => this.byProject.get(p) as RunbookCatalog);
  }

  /** Adds (or replaces) a project's catalog. Load it first (`refresh`): routing needs its snapshots. */
  add(catalog: RunbookCatalog): void {
    this.byProject.set(catalog.project, catalog);
  }

  remove(project: string): boolean {
    return this.byProject.delete(project);
  }

  /** A project's catalog of an environment now; null when it has none (unknown project, not loaded). */
  snapshot(project: string, env: Environment): CatalogSnapshot | null {
    return this.byProject.get(project)?.snapshot(env) ?? null;
  }

  /** Every project's catalog of an environment, `default` first. Projects without one yet are in `missing`. */
  snapshots(env: Environment): { snapshots: CatalogSnapshot[]; missing: string[] } {
    const snapshots: CatalogSnapshot[] = [];
    const missing: string[] = [];
    for (const c of this.list()) {
      const snap = c.snapshot(env);
      if (snap) snapshots.push(snap);
      else missing.push(c.project);
    }
    return { snapshots, missing };
  }

  readonly find = (project: string, env: Environment, name: string, version: string): Promise<LoadedRunbook | null> => {
    const catalog = this.byProject.get(project);
    return catalog ? catalog.find(env, name, version) : Promise.resolve(null);
  };

  /**
   * Refreshes every project's catalog. A project whose refresh fails keeps its current
   * snapshots (logged by the caller through `failed`); the others are refreshed regardless.
   */
  async refresh(onError?: (project: string, err: unknown) => void): Promise<{ project: string; envs: Environment[] }[]> {
    const changed: { project: string; envs: Environment[] }[] = [];
    await Promise.all(
      this.list().map(async (c) => {
        try {
          const envs = await c.refresh();
          if (envs.length > 0) changed.push({ project: c.project, envs });
        } catch (err) {
          if (onError) onError(c.project, err);
          else throw err;
        }
      }),
    );
    return changed;
  }
}
