import { buildCatalog, type RunbookProblem } from '@wolfe/runbooks';
import type { Environment } from './ports/records';
import type { CompileRunbook, LoadedRunbook, Logger, RunbookSource } from './ports/runtime';

export interface CatalogSnapshot {
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
 * The runbooks each environment serves, compiled once per commit (not per execution).
 * `refresh()` follows the branch heads; `find()` returns a runbook at an exact version so
 * that an execution queued at version X runs X even after a newer commit lands.
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
        env,
        version: head,
        runbooks: [...runbooks.values()],
        problems: entry.problems,
        keptPrevious,
        loadedAt: new Date(),
      };
      this.current.set(env, snap);
      changed.push(env);
      this.logger.info(
        { env, version: head, runbooks: snap.runbooks.map((r) => r.name), problems: snap.problems.length, keptPrevious },
        `loaded ${snap.runbooks.length} runbook(s) for ${env} at ${head.slice(0, 12)}`,
      );
      for (const k of keptPrevious) {
        this.logger.warn({ env, runbook: k.runbook, version: head, running: k.version }, `runbook ${k.runbook} is invalid at ${head.slice(0, 12)} in ${env}; version ${k.version.slice(0, 12)} keeps running`);
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
      this.logger.warn({ version, runbook: p.runbook, file: p.file, field: p.field, line: p.line }, `runbook ${p.runbook} not loaded at ${version.slice(0, 12)}: ${where}: ${p.message}`);
    }
    const runbooks = new Map<string, LoadedRunbook>();
    for (const r of built.runbooks) runbooks.set(r.name, { name: r.name, version, manifest: r.manifest, compiled: r.compiled });
    return { version, runbooks, problems: built.problems };
  }
}
