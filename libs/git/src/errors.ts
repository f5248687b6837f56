/** The branch head moved since the caller read it: someone else committed first. Re-read and retry. */
export class StaleHeadError extends Error {
  override readonly name = 'StaleHeadError';
  constructor(
    readonly branch: string,
    /** The head the caller built on (null: the caller expected the branch not to exist). */
    readonly expected: string | null,
    /** The head now (null: the branch does not exist). */
    readonly actual: string | null,
  ) {
    super(`branch ${branch} moved: expected ${expected ?? '(no branch)'}, found ${actual ?? '(no branch)'}; re-read it and try again`);
  }
}

/** A branch or commit that does not exist in the repository. */
export class RefNotFoundError extends Error {
  override readonly name = 'RefNotFoundError';
  constructor(readonly ref: string) {
    super(`no branch or commit ${ref} in the runbook repository`);
  }
}

/** Arguments the repository refuses before running git (bad branch name, path outside the tree, …). */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
}

/** A fetch, push or clone failed. The message never contains the token (nor a URL with credentials). */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly operation: 'fetch' | 'push' | 'clone' | 'remote',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A git lock file younger than the stale-lock age blocks the update: another git may be working
 * on the repository right now. Retry shortly; a lock older than the limit is removed automatically.
 */
export class RepositoryLockedError extends Error {
  override readonly name = 'RepositoryLockedError';
  constructor(
    /** Relative to the repository, e.g. `refs/heads/dev.lock`. */
    readonly lock: string,
    readonly ageMs: number,
    readonly staleAfterMs: number,
  ) {
    super(`the runbook repository is locked by ${lock} (${Math.round(ageMs)} ms old): another git process may be writing; retry in a moment (a lock older than ${staleAfterMs} ms is removed automatically)`);
  }
}
