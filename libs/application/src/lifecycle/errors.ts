import type { RunbookProblem } from '@wolfe/runbooks';
import type { GateResult } from './gates';
import type { RepoCommit, RepoDiff } from './ports';

/**
 * Lifecycle errors carry what the caller needs to act on them; the HTTP edge maps `kind` to a
 * status (not-found 404, bad-request 400, conflict 409, invalid/refused/gates 422, busy 503).
 */
export abstract class LifecycleError extends Error {
  abstract readonly kind: 'not-found' | 'bad-request' | 'conflict' | 'invalid' | 'refused' | 'gates-failed' | 'busy';
}

export class LifecycleNotFoundError extends LifecycleError {
  override readonly name = 'LifecycleNotFoundError';
  readonly kind = 'not-found';
}

export class LifecycleBadRequestError extends LifecycleError {
  override readonly name = 'LifecycleBadRequestError';
  readonly kind = 'bad-request';
}

/** What changed on the branch since the version the caller based its change on. */
export interface ChangesSince {
  readonly baseVersion: string;
  /** The runbook's version now (last commit that changed its folder), null if it was deleted. */
  readonly currentVersion: string | null;
  /** Commits that changed the runbook since baseVersion, newest first (at most 20). */
  readonly commits: readonly RepoCommit[];
  readonly diff: RepoDiff;
}

export class LifecycleConflictError extends LifecycleError {
  override readonly name = 'LifecycleConflictError';
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly changes: ChangesSince | null,
  ) {
    super(message);
  }
}

/** The runbook folder is not valid (manifest, compile or types): nothing was committed. */
export class LifecycleInvalidError extends LifecycleError {
  override readonly name = 'LifecycleInvalidError';
  readonly kind = 'invalid';
  constructor(
    message: string,
    readonly problems: readonly RunbookProblem[],
  ) {
    super(message);
  }
}

/** A policy refuses the request (e.g. dev → prod without test). */
export class LifecycleRefusedError extends LifecycleError {
  override readonly name = 'LifecycleRefusedError';
  readonly kind = 'refused';
}

/** A promotion gate failed and no override was given: nothing was committed. */
export class LifecycleGatesFailedError extends LifecycleError {
  override readonly name = 'LifecycleGatesFailedError';
  readonly kind = 'gates-failed';
  constructor(
    message: string,
    readonly gates: readonly GateResult[],
  ) {
    super(message);
  }
}

/** The repository is locked by another git process right now, or kept moving: retry. */
export class LifecycleBusyError extends LifecycleError {
  override readonly name = 'LifecycleBusyError';
  readonly kind = 'busy';
}
