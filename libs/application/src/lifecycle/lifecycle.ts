import type {
  GateResultDto,
  LifecycleCommitResultDto,
  LifecycleRunbookDto,
  LifecycleRunbookListDto,
  LifecycleRunbookSummaryDto,
  ManualRunRequestDto,
  ManualRunResultDto,
  ProjectDto,
  ProjectListDto,
  PromotionRequestDto,
  PromotionResultDto,
  RollbackRequestDto,
  RollbackResultDto,
  RunbookCommitDto,
  RunbookDiffDto,
  RunbookHistoryDto,
  RunbookProblemDto,
  RunbookValidationDto,
  SaveRunbookRequestDto,
} from '@wolfe/api-types';
import { fingerprint } from '@wolfe/events';
import { MANIFEST_FILE, parseManifest, RUNBOOK_NAME_PATTERN, type RunbookProblem } from '@wolfe/runbooks';
import { newId } from '../ids';
import { type DeliveryRecord, ENVIRONMENTS, type Environment, type EventRecord, isEnvironment } from '../ports/records';
import type { Clock, CompileRunbook, Logger } from '../ports/runtime';
import type { RunbookSandbox } from '../ports/sandbox';
import type { Store } from '../ports/store';
import { actorTrailers, type AuditAction, commitMessage, oneLine, parseAudit, TRAILERS } from './audit';
import {
  LifecycleBadRequestError,
  LifecycleBusyError,
  LifecycleConflictError,
  LifecycleGatesFailedError,
  LifecycleInvalidError,
  LifecycleNotFoundError,
  LifecycleRefusedError,
} from './errors';
import { folderChanges, isWritablePath, runbookFolders, sameFiles, splitFolder, TESTS_DIR } from './folder';
import { checkStatic, type GateDeps, type GateResult, gatesTrailer, runGates, summarize } from './gates';
import type { Actor, LifecycleProject, ProjectRegistry, RepoCommit, RepoFileChange, RunbookTestRunner, TypeCheckRunbook } from './ports';
import { queuedExecution } from '../executions';

export interface RunbookLifecycleDeps {
  readonly projects: ProjectRegistry;
  readonly store: Store;
  readonly sandbox: RunbookSandbox;
  /** The same compiler the catalog uses (esbuild). */
  readonly compile: CompileRunbook;
  readonly typeCheck: TypeCheckRunbook;
  /** The runbooks' own tests; null until a runner is wired (the gate then says the tests were not run). */
  readonly tests: RunbookTestRunner | null;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called with every commit Wolfe makes (GitOps skips re-validating them). */
  readonly onCommitted?: (project: string, env: Environment, commit: string) => void;
  /** The last GitOps validation of a runbook (see GitOpsMonitor). */
  readonly validation?: (project: string, env: Environment, name: string) => RunbookValidationDto | null;
}

/** Edits are committed here; promotions go on from here. */
export const EDIT_ENV: Environment = 'dev';
/** How often a commit is retried when the branch moved under it (another runbook changed). */
const MAX_ATTEMPTS = 5;
const MAX_MESSAGE = 10_000;
const MAX_FILES = 200;
const CONFLICT_COMMITS = 20;

export interface ListOptions {
  readonly limit?: number;
  readonly skip?: number;
}

/**
 * The runbook lifecycle in git, one branch per environment: read, edit (on dev), promote one
 * runbook at a time dev → test → prod behind gates, roll back, run by hand. Every change is one
 * commit whose author is the actor and whose trailers are the audit trail.
 *
 * Pure orchestration over ports: the repository, the store, the sandbox, the compilers.
 */
export class RunbookLifecycle {
  private readonly gateDeps: GateDeps;

  constructor(private readonly deps: RunbookLifecycleDeps) {
    this.gateDeps = {
      compile: deps.compile,
      typeCheck: deps.typeCheck,
      tests: deps.tests,
      store: deps.store,
      sandbox: deps.sandbox,
      logger: deps.logger,
      now: () => deps.clock.now().getTime(),
    };
  }

  get gateDependencies(): GateDeps {
    return this.gateDeps;
  }

  // ---- read --------------------------------------------------------------------------------

  async projects(): Promise<ProjectDto[]> {
    return Promise.all(this.deps.projects.list().map((p) => this.describe(p)));
  }

  /** Every project served, and those known but not served right now (with the reason). */
  async projectList(): Promise<ProjectListDto> {
    const unavailable = (this.deps.projects.unavailable?.() ?? []).map((u) => ({ name: u.name, reason: u.reason }));
    return { items: await this.projects(), unavailable };
  }

  async project(name: string): Promise<ProjectDto> {
    return this.describe(this.projectOrThrow(name));
  }

  /** The runbooks on an environment's branch: name, version (last commit that changed the folder), manifest facts, problems. */
  async list(projectName: string, env: Environment): Promise<LifecycleRunbookListDto> {
    const project = this.projectOrThrow(projectName);
    const head = await this.headOrThrow(project, env);
    const folders = runbookFolders(await project.repository.readTree(head));
    const snap = project.runtime.snapshot(env);
    const loadedProblems = snap?.version === head ? snap.problems : null;
    const items: LifecycleRunbookSummaryDto[] = [];
    for (const [name, files] of [...folders].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [last] = await project.repository.log(head, { path: name, limit: 1 });
      const text = files.get(MANIFEST_FILE);
      const parsed = text === undefined ? null : parseManifest(text, `${name}/${MANIFEST_FILE}`);
      const manifest = parsed?.ok ? parsed.manifest : null;
      const problems: RunbookProblem[] =
        loadedProblems !== null
          ? loadedProblems.filter((p) => p.runbook === name)
          : parsed === null
            ? [{ file: `${name}/${MANIFEST_FILE}`, field: null, line: null, message: `missing ${MANIFEST_FILE}` }]
            : parsed.ok
              ? []
              : parsed.problems;
      items.push({
        name,
        version: last?.version ?? head,
        description: manifest?.description ?? null,
        owner: manifest?.owner ?? null,
        triggers: (manifest?.triggers ?? []).map((t) => ({ match: t.match, status: t.status, source: t.source })),
        problems: problems.map(problemDto),
        validation: this.deps.validation?.(project.name, env, name) ?? null,
      });
    }
    return { project: project.name, env, commit: head, items };
  }

  /** One runbook at an environment's head or at a version: manifest, code files, tests, version. */
  async get(projectName: string, name: string, at: { env: Environment } | { version: string }): Promise<LifecycleRunbookDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const commit = 'env' in at ? await this.headOrThrow(project, at.env) : await this.resolveOrThrow(project, at.version);
    const files = await project.repository.readFolder(commit, name);
    if (files.size === 0) throw new LifecycleNotFoundError(`no runbook ${name} in project ${project.name} at ${'env' in at ? `${at.env} (${short(commit)})` : short(commit)}`);
    const [last] = await project.repository.log(commit, { path: name, limit: 1 });
    const parts = splitFolder(files);
    const snap = 'env' in at ? project.runtime.snapshot(at.env) : null;
    const problems = snap?.version === commit ? snap.problems.filter((p) => p.runbook === name) : [];
    return {
      project: project.name,
      name,
      env: 'env' in at ? at.env : null,
      commit,
      version: last?.version ?? commit,
      manifest: parts.manifest ?? '',
      code: parts.code,
      tests: parts.tests,
      problems: problems.map(problemDto),
    };
  }

  /** Commits that changed the runbook on an environment's branch, newest first, with their audit trailers. */
  async history(projectName: string, name: string, env: Environment, options: ListOptions = {}): Promise<RunbookHistoryDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const head = await this.headOrThrow(project, env);
    const commits = await project.repository.log(head, { path: name, limit: clamp(options.limit ?? 50, 1, 500), skip: Math.max(0, options.skip ?? 0) });
    if (commits.length === 0 && (options.skip ?? 0) === 0) throw new LifecycleNotFoundError(`runbook ${name} has no history on ${env} in project ${project.name}`);
    return { project: project.name, name, env, items: commits.map(commitDto) };
  }

  /** The runbook's folder diffed between two environments or versions (`dev`, `prod`, a SHA). */
  async diff(projectName: string, name: string, from: string, to: string): Promise<RunbookDiffDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const [a, b] = await Promise.all([this.refOrThrow(project, from, 'from'), this.refOrThrow(project, to, 'to')]);
    const d = await project.repository.diff(a, b, { path: name });
    return {
      project: project.name,
      name,
      from: { ref: from, commit: d.from },
      to: { ref: to, commit: d.to },
      files: d.files.map((f) => ({ ...f })),
      diff: d.text,
    };
  }

  // ---- edit (dev) --------------------------------------------------------------------------

  /**
   * Creates or replaces a runbook on dev as one commit under the actor's name. The whole new
   * folder is validated first (manifest, compile, types): if anything is wrong nothing is
   * committed. With `baseVersion`, a runbook that changed since is a conflict that says what changed.
   */
  async save(projectName: string, name: string, input: SaveRunbookRequestDto, actor: Actor): Promise<LifecycleCommitResultDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const message = this.messageOrThrow(input.message);
    const base = input.baseVersion === undefined ? null : await this.resolveOrThrow(project, input.baseVersion, 'baseVersion');

    for (let attempt = 1; ; attempt++) {
      const head = await this.headOrThrow(project, EDIT_ENV);
      const current = await project.repository.readFolder(head, name);
      if (base !== null) await this.assertUnchangedSince(project, name, base, head, current);
      const next = composeFolder(current, input);
      const check = await checkStatic(name, next, this.gateDeps);
      if (check.problems.length > 0) {
        throw new LifecycleInvalidError(`runbook ${name} is not valid; nothing was committed: ${summarize(check.problems, 5)}`, check.problems);
      }
      const action: AuditAction = current.size === 0 ? 'create' : 'edit';
      const [subject, ...rest] = message.split('\n');
      const text = commitMessage(subject ?? message, rest.join('\n'), [
        [TRAILERS.action, action],
        [TRAILERS.runbook, name],
        [TRAILERS.base, base],
        ...actorTrailers(actor),
      ]);
      const done = await this.commit(project, EDIT_ENV, head, folderChanges(name, current, next), text, actor, attempt);
      if (done === 'retry') continue;
      return this.commitResult(project, name, EDIT_ENV, done);
    }
  }

  /** Deletes a runbook from dev (one commit). */
  async remove(projectName: string, name: string, input: { message?: string; baseVersion?: string }, actor: Actor): Promise<LifecycleCommitResultDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const message = input.message === undefined || input.message.trim() === '' ? `Delete ${name}` : this.messageOrThrow(input.message);
    const base = input.baseVersion === undefined ? null : await this.resolveOrThrow(project, input.baseVersion, 'baseVersion');
    for (let attempt = 1; ; attempt++) {
      const head = await this.headOrThrow(project, EDIT_ENV);
      const current = await project.repository.readFolder(head, name);
      if (current.size === 0) throw new LifecycleNotFoundError(`no runbook ${name} on ${EDIT_ENV} in project ${project.name}`);
      if (base !== null) await this.assertUnchangedSince(project, name, base, head, current);
      const [subject, ...rest] = message.split('\n');
      const text = commitMessage(subject ?? message, rest.join('\n'), [[TRAILERS.action, 'delete'], [TRAILERS.runbook, name], [TRAILERS.base, base], ...actorTrailers(actor)]);
      const done = await this.commit(project, EDIT_ENV, head, folderChanges(name, current, new Map()), text, actor, attempt);
      if (done === 'retry') continue;
      return this.commitResult(project, name, EDIT_ENV, done);
    }
  }

  // ---- promote / roll back -----------------------------------------------------------------

  /**
   * Promotes ONE runbook: a commit on the target branch that makes the runbook's folder exactly
   * the source's (other runbooks untouched). Refused: backwards, the same environment, or dev →
   * prod unless the project allows skipping test. Every gate runs first; a failing gate blocks
   * unless `override.reason` is given. The gates and the override are recorded as trailers.
   */
  async promote(projectName: string, name: string, input: PromotionRequestDto, actor: Actor): Promise<PromotionResultDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const from = this.envOrThrow(input.from, 'from');
    const to = this.envOrThrow(input.to, 'to');
    const [iFrom, iTo] = [ENVIRONMENTS.indexOf(from), ENVIRONMENTS.indexOf(to)];
    if (iFrom === iTo) throw new LifecycleBadRequestError(`from and to are both ${from}: promote from one environment to the next (dev → test → prod)`);
    if (iTo < iFrom) throw new LifecycleRefusedError(`promotions go dev → test → prod, not ${from} → ${to}; to bring back an earlier version of ${to}, roll it back (POST …/rollbacks)`);
    if (iTo - iFrom > 1 && !project.settings.allowSkipTest) {
      throw new LifecycleRefusedError(`${from} → ${to} skips ${ENVIRONMENTS.slice(iFrom + 1, iTo).join(', ')}: project ${project.name} does not allow skipping test (setting allowSkipTest); promote ${from} → ${ENVIRONMENTS[iFrom + 1]} first`);
    }
    const reason = input.reason === undefined ? null : this.reasonOrThrow(input.reason, 'reason');
    const overrideReason = input.override === undefined ? null : this.reasonOrThrow(input.override.reason, 'override.reason');

    const sourceHead = await this.headOrThrow(project, from);
    const files = await project.repository.readFolder(sourceHead, name);
    const [sourceLast] = files.size === 0 ? [] : await project.repository.log(sourceHead, { path: name, limit: 1 });
    const sourceVersion = sourceLast?.version ?? null;
    if (input.version !== undefined) {
      const expected = await this.resolveOrThrow(project, input.version, 'version');
      const expectedFiles = await project.repository.readFolder(expected, name);
      if (!sameFiles(expectedFiles, files)) {
        const changes = await this.changesSince(project, name, expected, sourceHead);
        throw new LifecycleConflictError(`runbook ${name} changed on ${from} since ${short(expected)} (now ${sourceVersion ? short(sourceVersion) : 'deleted'}); review it and promote again`, changes);
      }
    }

    let gates: GateResult[];
    if (files.size === 0) {
      const targetFiles = await project.repository.readFolder(await this.headOrThrow(project, to), name);
      if (targetFiles.size === 0) throw new LifecycleNotFoundError(`no runbook ${name} on ${from} or ${to} in project ${project.name}`);
      const t = this.deps.clock.now().getTime();
      gates = ['manifest', 'compile', 'typecheck', 'tests', 'replay'].map((g) => ({
        name: g as GateResult['name'],
        status: 'skipped' as const,
        message: `${name} was deleted on ${from}: the promotion deletes it from ${to}`,
        problems: [],
        count: null,
        durationMs: this.deps.clock.now().getTime() - t,
      }));
    } else {
      gates = await runGates({ name, files, version: sourceVersion ?? sourceHead, sourceEnv: from, targetEnv: to, settings: project.settings }, this.gateDeps);
    }
    const failed = gates.filter((g) => g.status === 'failed');
    if (failed.length > 0 && overrideReason === null) {
      this.deps.logger.warn({ project: project.name, runbook: name, from, to, gates: gatesTrailer(gates) }, `promotion of ${name} ${from} → ${to} blocked by gate(s) ${failed.map((g) => g.name).join(', ')}`);
      throw new LifecycleGatesFailedError(
        `promotion of ${name} from ${from} to ${to} blocked: ${failed.map((g) => `${g.name}: ${g.message}`).join(' | ')} (an admin may override with override.reason)`,
        gates,
      );
    }

    for (let attempt = 1; ; attempt++) {
      const targetHead = await this.headOrThrow(project, to);
      const current = await project.repository.readFolder(targetHead, name);
      const [replaced] = current.size === 0 ? [] : await project.repository.log(targetHead, { path: name, limit: 1 });
      const text = commitMessage(`Promote ${name} from ${from} to ${to}`, reason, [
        [TRAILERS.action, 'promote'],
        [TRAILERS.runbook, name],
        [TRAILERS.from, `${from}@${sourceVersion ?? sourceHead}`],
        [TRAILERS.to, to],
        [TRAILERS.replaces, replaced?.version ?? null],
        ...actorTrailers(actor),
        [TRAILERS.reason, reason],
        [TRAILERS.gates, gatesTrailer(gates)],
        [TRAILERS.override, failed.length > 0 ? overrideReason : null],
      ]);
      const done = await this.commit(project, to, targetHead, folderChanges(name, current, files), text, actor, attempt);
      if (done === 'retry') continue;
      const result = await this.commitResult(project, name, to, done);
      this.deps.logger.info(
        { project: project.name, runbook: name, from, to, version: sourceVersion, commit: result.commit, changed: result.changed, overridden: failed.length > 0, actor: actor.principal },
        result.changed ? `promoted ${name} ${from}@${short(sourceVersion ?? sourceHead)} → ${to} (${short(result.commit)})` : `${name} on ${to} already equals ${from}: nothing to promote`,
      );
      return { ...result, from: { env: from, version: sourceVersion }, gates: gates.map(gateDto), overridden: failed.length > 0 };
    }
  }

  /**
   * Rolls a runbook on one environment back to how it was at `version` (any commit of the
   * repository): one commit restoring exactly that folder. The static gates run (the restored
   * code must still load); a failure blocks unless overridden.
   */
  async rollback(projectName: string, name: string, input: RollbackRequestDto, actor: Actor): Promise<RollbackResultDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const env = this.envOrThrow(input.env, 'env');
    const reason = this.reasonOrThrow(input.reason, 'reason');
    const overrideReason = input.override === undefined ? null : this.reasonOrThrow(input.override.reason, 'override.reason');
    const restored = await this.resolveOrThrow(project, input.version, 'version');
    const files = await project.repository.readFolder(restored, name);
    if (files.size === 0) throw new LifecycleNotFoundError(`runbook ${name} does not exist at version ${short(restored)}: nothing to restore`);
    const [restoredLast] = await project.repository.log(restored, { path: name, limit: 1 });
    const check = await checkStatic(name, files, this.gateDeps);
    const failed = check.gates.filter((g) => g.status === 'failed');
    if (failed.length > 0 && overrideReason === null) {
      throw new LifecycleGatesFailedError(`rollback of ${name} on ${env} to ${short(restored)} blocked: ${failed.map((g) => `${g.name}: ${g.message}`).join(' | ')}`, check.gates);
    }
    for (let attempt = 1; ; attempt++) {
      const head = await this.headOrThrow(project, env);
      const current = await project.repository.readFolder(head, name);
      const [replaced] = current.size === 0 ? [] : await project.repository.log(head, { path: name, limit: 1 });
      const text = commitMessage(`Roll back ${name} on ${env} to ${short(restoredLast?.version ?? restored)}`, reason, [
        [TRAILERS.action, 'rollback'],
        [TRAILERS.runbook, name],
        [TRAILERS.from, restoredLast?.version ?? restored],
        [TRAILERS.to, env],
        [TRAILERS.replaces, replaced?.version ?? null],
        ...actorTrailers(actor),
        [TRAILERS.reason, reason],
        [TRAILERS.gates, gatesTrailer(check.gates)],
        [TRAILERS.override, failed.length > 0 ? overrideReason : null],
      ]);
      const done = await this.commit(project, env, head, folderChanges(name, current, files), text, actor, attempt);
      if (done === 'retry') continue;
      const result = await this.commitResult(project, name, env, done);
      this.deps.logger.info({ project: project.name, runbook: name, env, restored, commit: result.commit, actor: actor.principal }, `rolled back ${name} on ${env} to ${short(restored)}`);
      return { ...result, restored: restoredLast?.version ?? restored, gates: check.gates.map(gateDto) };
    }
  }

  // ---- run by hand -------------------------------------------------------------------------

  /**
   * Runs the runbook as dev serves it now, once, with a given event (recorded in the ledger as
   * source `manual`, already decided, so no other runbook starts) or an event of the ledger, or
   * none. No dedup key: every request is a run. Answers with the queued execution.
   */
  async run(projectName: string, name: string, input: ManualRunRequestDto, actor: Actor): Promise<ManualRunResultDto> {
    const project = this.projectOrThrow(projectName);
    this.assertName(name);
    const env = EDIT_ENV;
    const snap = project.runtime.snapshot(env);
    if (snap === null) throw new LifecycleRefusedError(`this process does not serve ${env} (WOLFE_ENVS): manual runs go to ${env}`);
    const runbook = snap.runbooks.find((r) => r.name === name);
    if (!runbook) {
      const problems = snap.problems.filter((p) => p.runbook === name);
      if (problems.length > 0) throw new LifecycleInvalidError(`runbook ${name} is not loaded on ${env} at ${short(snap.version)}: ${summarize(problems)}`, problems);
      throw new LifecycleNotFoundError(`no runbook ${name} on ${env} (at ${short(snap.version)}) in project ${project.name}`);
    }
    if (input.event !== undefined && input.eventId !== undefined) throw new LifecycleBadRequestError('give either event or eventId, not both');

    const now = this.deps.clock.now();
    const executionId = newId(now.getTime());
    let eventId: string | null = null;
    if (input.eventId !== undefined) {
      const ev = await this.deps.store.events.get(input.eventId);
      if (!ev) throw new LifecycleNotFoundError(`eventId: no event with id ${JSON.stringify(input.eventId)}`);
      eventId = ev.id;
    } else if (input.event !== undefined) {
      eventId = await this.recordManualEvent(env, project.name, name, runbook.version, executionId, input.event, actor, now);
    }
    const execution = queuedExecution(
      { id: executionId, project: project.name, runbook: name, env, version: runbook.version, eventId, trigger: null, dedupKey: null },
      now,
    );
    await this.deps.store.executions.createIfAbsent(execution);
    this.deps.logger.info({ project: project.name, executionId, runbook: name, env, version: runbook.version, eventId, actor: actor.principal }, `manual run of ${name} on ${env} queued (${executionId})`);
    project.runtime.kick();
    return { executionId, project: project.name, runbook: name, env, version: runbook.version, eventId };
  }

  // ---- internals ---------------------------------------------------------------------------

  private async recordManualEvent(
    env: Environment,
    project: string,
    runbook: string,
    version: string,
    executionId: string,
    event: NonNullable<ManualRunRequestDto['event']>,
    actor: Actor,
    now: Date,
  ): Promise<string> {
    const at = now.toISOString();
    const deliveryId = newId(now.getTime());
    const eventId = newId(now.getTime());
    const labels = { ...event.labels };
    const delivery: DeliveryRecord = {
      id: deliveryId,
      source: 'manual',
      env,
      receivedAt: at,
      contentType: 'application/json',
      body: JSON.stringify({ project, runbook, event, actor: actor.principal }),
      outcome: 'accepted',
      error: null,
      eventIds: [eventId],
    };
    const record: EventRecord = {
      id: eventId,
      deliveryId,
      source: event.source ?? 'manual',
      env,
      fingerprint: fingerprint(labels),
      sourceFingerprint: null,
      labels,
      annotations: { ...(event.annotations ?? {}) },
      status: event.status ?? 'firing',
      startsAt: event.startsAt ?? null,
      endsAt: event.endsAt ?? null,
      sourceUrl: null,
      receivedAt: at,
      // Decided when recorded: the router never sees it, so it starts nothing else.
      decision: 'matched',
      decidedAt: at,
      explanation: [{ project, runbook, version, matched: true, trigger: null, reason: `manual run by ${actor.principal}`, executionId }],
      executionIds: [executionId],
    };
    await this.deps.store.deliveries.record(delivery, [record]);
    return eventId;
  }

  /**
   * One commit attempt. `retry`: the branch moved (another change landed first) — the caller
   * re-reads and re-checks. Busy after a few attempts, or while another git holds a lock.
   */
  private async commit(project: LifecycleProject, env: Environment, head: string, changes: readonly RepoFileChange[], message: string, actor: Actor, attempt: number): Promise<{ commit: string; changed: boolean } | 'retry'> {
    if (changes.length === 0) return { commit: head, changed: false };
    const author = { name: actor.displayName ?? actor.principal, email: actor.email };
    const out = await project.repository.commit(env, changes, { message, author, expectedHead: head });
    if (out.ok) {
      if (out.changed) {
        this.deps.onCommitted?.(project.name, env, out.version);
        // The in-process notification: new executions run the new commit without waiting for the poll.
        try {
          await project.runtime.refresh();
        } catch (err) {
          // Committed all the same: the next poll loads it (the answer says live: false).
          this.deps.logger.error({ project: project.name, env, commit: out.version, err: String(err) }, 'catalog refresh after a commit failed; the next poll will load it');
        }
      }
      return { commit: out.version, changed: out.changed };
    }
    if (out.reason === 'locked') throw new LifecycleBusyError(out.message);
    if (attempt >= MAX_ATTEMPTS) throw new LifecycleBusyError(`branch ${env} kept moving while committing (${attempt} attempts); try again`);
    return 'retry';
  }

  private async commitResult(project: LifecycleProject, name: string, env: Environment, done: { commit: string; changed: boolean }): Promise<LifecycleCommitResultDto> {
    const [last] = await project.repository.log(done.commit, { path: name, limit: 1 });
    const exists = (await project.repository.readFolder(done.commit, name)).size > 0;
    const snap = project.runtime.snapshot(env);
    return { project: project.name, name, env, changed: done.changed, commit: done.commit, version: exists ? (last?.version ?? null) : null, live: snap?.version === done.commit };
  }

  private async assertUnchangedSince(project: LifecycleProject, name: string, base: string, head: string, current: ReadonlyMap<string, string>): Promise<void> {
    const baseFiles = await project.repository.readFolder(base, name);
    if (sameFiles(baseFiles, current)) return;
    const changes = await this.changesSince(project, name, base, head);
    const who = changes.commits
      .slice(0, 3)
      .map((c) => `${short(c.version)} by ${c.author.name} (${c.subject})`)
      .join(', ');
    throw new LifecycleConflictError(
      `runbook ${name} changed on ${EDIT_ENV} since ${short(base)}${who ? `: ${who}` : ''}; now at ${changes.currentVersion ? short(changes.currentVersion) : '(deleted)'}. Re-read it, merge your change and send baseVersion=${changes.currentVersion ?? head}`,
      changes,
    );
  }

  private async changesSince(project: LifecycleProject, name: string, base: string, head: string) {
    const [commits, diff] = await Promise.all([project.repository.log(head, { path: name, limit: 100 }), project.repository.diff(base, head, { path: name })]);
    const since: RepoCommit[] = [];
    for (const c of commits) {
      if (c.version === base) break;
      since.push(c);
      if (since.length >= CONFLICT_COMMITS) break;
    }
    const exists = (await project.repository.readFolder(head, name)).size > 0;
    return { baseVersion: base, currentVersion: exists ? (commits[0]?.version ?? null) : null, commits: since, diff };
  }

  private async describe(p: LifecycleProject): Promise<ProjectDto> {
    const heads: ProjectDto['heads'] = {};
    for (const env of ENVIRONMENTS) {
      const h = await p.repository.head(env);
      if (h !== null) heads[env] = h;
    }
    return {
      name: p.name,
      environments: [...ENVIRONMENTS],
      heads,
      allowSkipTest: p.settings.allowSkipTest,
      remote: p.remoteUrl,
      source: p.source ?? 'embedded',
      replayEvents: p.settings.replayEvents,
      webhook: p.webhook ?? false,
      sync: p.syncState?.() ?? null,
    };
  }

  private projectOrThrow(name: string): LifecycleProject {
    const p = this.deps.projects.get(name);
    if (p) return p;
    const known = this.deps.projects.list().map((x) => x.name);
    throw new LifecycleNotFoundError(`no project ${JSON.stringify(name)}; known projects: ${known.join(', ') || '(none)'}`);
  }

  private async headOrThrow(project: LifecycleProject, env: Environment): Promise<string> {
    const head = await project.repository.head(env);
    if (head === null) throw new LifecycleNotFoundError(`project ${project.name} has no branch ${env}`);
    return head;
  }

  private async resolveOrThrow(project: LifecycleProject, ref: string, field = 'version'): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/i.test(ref)) throw new LifecycleBadRequestError(`${field}: ${JSON.stringify(ref)} is not a commit SHA (4 to 40 hex digits)`);
    const sha = await project.repository.resolve(ref.toLowerCase());
    if (sha === null) throw new LifecycleNotFoundError(`${field}: no commit ${ref} in project ${project.name}`);
    return sha;
  }

  /** An environment name (its branch head) or a commit SHA. */
  private async refOrThrow(project: LifecycleProject, ref: string, field: string): Promise<string> {
    if (isEnvironment(ref)) return this.headOrThrow(project, ref);
    if (!/^[0-9a-f]{4,64}$/i.test(ref)) throw new LifecycleBadRequestError(`${field}: ${JSON.stringify(ref)} is neither an environment (${ENVIRONMENTS.join(', ')}) nor a commit SHA`);
    return this.resolveOrThrow(project, ref, field);
  }

  private envOrThrow(v: unknown, field: string): Environment {
    if (!isEnvironment(v)) throw new LifecycleBadRequestError(`${field}: ${JSON.stringify(v)} is not an environment; use one of ${ENVIRONMENTS.join(', ')}`);
    return v;
  }

  private assertName(name: string): void {
    if (!RUNBOOK_NAME_PATTERN.test(name)) throw new LifecycleBadRequestError(`runbook name ${JSON.stringify(name)}: use 1 to 63 lowercase letters, digits and dashes (the folder name)`);
  }

  private messageOrThrow(message: unknown): string {
    if (typeof message !== 'string' || message.trim() === '') throw new LifecycleBadRequestError('message: say what changed and why (it becomes the commit message)');
    if (message.length > MAX_MESSAGE) throw new LifecycleBadRequestError(`message: at most ${MAX_MESSAGE} characters`);
    return message.trim();
  }

  private reasonOrThrow(reason: unknown, field: string): string {
    if (typeof reason !== 'string' || oneLine(reason) === '') throw new LifecycleBadRequestError(`${field}: give a reason (it is recorded in the commit)`);
    if (reason.length > 2000) throw new LifecycleBadRequestError(`${field}: at most 2000 characters`);
    return reason.trim();
  }
}

/** The folder after a save: runbook.yaml, the code (index.ts only, or every code file) and, if given, the tests. */
function composeFolder(current: ReadonlyMap<string, string>, input: SaveRunbookRequestDto): Map<string, string> {
  if (typeof input.manifest !== 'string') throw new LifecycleBadRequestError('manifest: the runbook.yaml text is required');
  const next = new Map<string, string>();
  // Kept from the current folder: the tests unless new ones are given; the other code files
  // when only index.ts is given. runbook.yaml is always replaced.
  const keep = (p: string): boolean => {
    if (p === MANIFEST_FILE) return false;
    if (p.startsWith(TESTS_DIR)) return input.tests === undefined;
    return typeof input.code === 'string';
  };
  for (const [p, c] of current) if (keep(p)) next.set(p, c);
  next.set(MANIFEST_FILE, input.manifest);
  if (typeof input.code === 'string') next.set('index.ts', input.code);
  else {
    for (const [p, c] of Object.entries(input.code)) {
      if (!isWritablePath(p)) throw new LifecycleBadRequestError(`code: ${JSON.stringify(p)} is not a usable file path (relative, forward slashes, no ..)`);
      if (p === MANIFEST_FILE || p.startsWith(TESTS_DIR)) throw new LifecycleBadRequestError(`code: ${p} does not belong in code (use manifest / tests)`);
      if (typeof c !== 'string') throw new LifecycleBadRequestError(`code.${p}: must be the file's text`);
      next.set(p, c);
    }
  }
  if (input.tests !== undefined) {
    for (const [p, c] of Object.entries(input.tests)) {
      if (!isWritablePath(p) || !p.startsWith(TESTS_DIR)) throw new LifecycleBadRequestError(`tests: ${JSON.stringify(p)} must be a path under ${TESTS_DIR}`);
      if (typeof c !== 'string') throw new LifecycleBadRequestError(`tests.${p}: must be the file's text`);
      next.set(p, c);
    }
  }
  if (next.size > MAX_FILES) throw new LifecycleBadRequestError(`a runbook has at most ${MAX_FILES} files`);
  return next;
}

export function commitDto(c: RepoCommit): RunbookCommitDto {
  return {
    version: c.version,
    author: { name: c.author.name, email: c.author.email },
    date: c.date,
    subject: c.subject,
    message: c.message,
    trailers: c.trailers.map((t) => ({ key: t.key, value: t.value })),
    audit: parseAudit(c.trailers),
  };
}

export function gateDto(g: GateResult): GateResultDto {
  return { name: g.name, status: g.status, message: g.message, problems: g.problems.map(problemDto), count: g.count, durationMs: g.durationMs };
}

export function problemDto(p: RunbookProblem): RunbookProblemDto {
  return { file: p.file, field: p.field, line: p.line, message: p.message };
}

const short = (sha: string): string => sha.slice(0, 12);
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.trunc(n)));
