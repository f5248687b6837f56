import type { RunbookValidationDto } from '@wolfe/api-types';
import { ENVIRONMENTS, type Environment } from '../ports/records';
import type { Logger } from '../ports/runtime';
import { runbookFolders } from './folder';
import { type GateDeps, gatesTrailer, runGates } from './gates';
import { gateDto } from './lifecycle';
import type { ProjectRegistry, RepoCommit } from './ports';

const STATIC_GATES = new Set(['manifest', 'compile', 'typecheck']);

/**
 * GitOps: commits can reach an environment's branch without Wolfe's API (a push to the bound
 * remote that was fetched, or a commit straight into the bare repository). Whenever the catalog
 * has loaded a new head, the runbooks changed by such commits go through the same gates as a
 * promotion (replaying that environment's own recent events). Failures are logged and kept for
 * the API (`validation` of `GET /api/v1/projects/:project/runbooks`).
 *
 * A runbook whose manifest, code or types are invalid is not loaded by the catalog (its loader
 * compiles and type-checks); one that only fails its tests or the replay is loaded and flagged.
 * Commits made through the API were gated before they were made and are not checked again.
 */
export class GitOpsMonitor {
  /** `project|env` → the head last looked at. */
  private readonly seen = new Map<string, string>();
  /** Commits made through the API (already gated). */
  private readonly own = new Set<string>();
  private readonly results = new Map<string, Map<string, RunbookValidationDto>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly projects: ProjectRegistry,
    private readonly gates: GateDeps,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** Remember a commit made through the API. */
  noteOwnCommit(_project: string, _env: Environment, commit: string): void {
    this.own.add(commit);
    if (this.own.size > 10_000) this.own.delete(this.own.values().next().value as string);
  }

  /** The last GitOps validation of a runbook on an environment, or null. */
  validation(project: string, env: Environment, name: string): RunbookValidationDto | null {
    return this.results.get(`${project}|${env}`)?.get(name) ?? null;
  }

  /** Starts with the heads loaded now as the baseline, then checks every `intervalMs`. */
  start(intervalMs: number): void {
    this.baseline();
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => void this.check(), intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Looks at every served environment's loaded head once (one check at a time). */
  check(): Promise<void> {
    this.running ??= this.checkAll()
      .catch((err: unknown) => this.logger.error({ err: String(err) }, 'GitOps check failed; will retry'))
      .finally(() => (this.running = null));
    return this.running;
  }

  private baseline(): void {
    for (const project of this.projects.list()) {
      for (const env of ENVIRONMENTS) {
        const snap = project.runtime.snapshot(env);
        if (snap) this.seen.set(`${project.name}|${env}`, snap.version);
      }
    }
  }

  private async checkAll(): Promise<void> {
    for (const project of this.projects.list()) {
      for (const env of ENVIRONMENTS) {
        const snap = project.runtime.snapshot(env);
        if (!snap) continue;
        const key = `${project.name}|${env}`;
        const prev = this.seen.get(key);
        const head = snap.version;
        if (prev === head) continue;
        this.seen.set(key, head);
        if (prev === undefined) continue;

        const repo = project.repository;
        const commits = await repo.log(head, { limit: 200 });
        const range: RepoCommit[] = [];
        for (const c of commits) {
          if (c.version === prev) break;
          range.push(c);
        }
        const diff = await repo.diff(prev, head, {});
        const changed = new Set(diff.files.map((f) => f.path.split('/')[0] as string).filter((f) => f !== '' && !f.startsWith('.')));
        let results = this.results.get(key);
        if (!results) this.results.set(key, (results = new Map()));
        const foreign = range.filter((c) => !this.own.has(c.version));
        if (foreign.length === 0) {
          for (const name of changed) results.delete(name); // changed through the API: gated there
          continue;
        }
        const folders = runbookFolders(await repo.readTree(head));
        const by = [...new Set(foreign.map((c) => `${c.author.name} <${c.author.email}>`))].join(', ');
        for (const name of [...changed].sort()) {
          const files = folders.get(name);
          if (!files) {
            results.delete(name);
            continue;
          }
          const gates = await runGates({ name, files, version: head, sourceEnv: env, targetEnv: env, settings: project.settings }, this.gates);
          const failed = gates.filter((g) => g.status === 'failed');
          results.set(name, { commit: head, ok: failed.length === 0, gates: gates.map(gateDto), checkedAt: this.now().toISOString() });
          const fields = { project: project.name, env, runbook: name, commit: head, by, gates: gatesTrailer(gates) };
          if (failed.length === 0) {
            this.logger.info(fields, `GitOps: ${name} on ${env} changed outside Wolfe (${head.slice(0, 12)} by ${by}); all gates pass`);
            continue;
          }
          const loaded = !failed.some((g) => STATIC_GATES.has(g.name));
          this.logger.warn(
            fields,
            `GitOps: ${name} on ${env} changed outside Wolfe (${head.slice(0, 12)} by ${by}) and fails ${failed.map((g) => `${g.name} (${g.message})`).join('; ')}` +
              (loaded ? '; it is loaded (tests and replay do not stop a commit that is already on the branch): fix or roll it back' : '; it is NOT loaded'),
          );
        }
      }
    }
  }
}
