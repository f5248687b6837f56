import type { ProjectSyncDto } from '@wolfe/api-types';
import type { Manifest, RunbookProblem } from '@wolfe/runbooks';
import type { CatalogSnapshot } from '../catalog';
import type { Environment } from '../ports/records';
import type { CompiledRunbook } from '../ports/sandbox';

/**
 * Ports of the runbook lifecycle (edit on dev, promote dev → test → prod, roll back, audit in
 * git). Implemented by thin adapters in the composition root (apps/server) over @wolfe/git,
 * the TypeScript compiler and the sandbox.
 */

export interface RepoIdentity {
  readonly name: string;
  readonly email: string;
}

export interface RepoTrailer {
  readonly key: string;
  readonly value: string;
}

export interface RepoCommit {
  /** Full commit SHA. */
  readonly version: string;
  readonly author: RepoIdentity;
  /** Author date (ISO-8601). */
  readonly date: string;
  readonly message: string;
  readonly subject: string;
  /** `Key: value` lines of the message's last paragraph, in order. */
  readonly trailers: readonly RepoTrailer[];
}

export interface RepoDiffFile {
  /** Repository path, e.g. `disk-cleanup/index.ts`. */
  readonly path: string;
  readonly status: 'added' | 'modified' | 'deleted' | 'type-changed';
  /** null for binary files. */
  readonly additions: number | null;
  readonly deletions: number | null;
}

export interface RepoDiff {
  readonly from: string;
  readonly to: string;
  /** Unified diff text. */
  readonly text: string;
  readonly files: readonly RepoDiffFile[];
}

export interface RepoFileChange {
  /** Repository path. */
  readonly path: string;
  /** New content; null deletes the file. */
  readonly content: string | null;
}

export type RepoCommitOutcome =
  /** `changed: false`: the tree was already like that; `version` is the unchanged head. */
  | { readonly ok: true; readonly version: string; readonly changed: boolean }
  /** The branch moved since `expectedHead` (someone else committed first). */
  | { readonly ok: false; readonly reason: 'stale'; readonly head: string | null }
  /** A git lock held by another process right now: retry in a moment. */
  | { readonly ok: false; readonly reason: 'locked'; readonly message: string };

/** The git operations the lifecycle needs, on one project's repository (one branch per environment). */
export interface RunbookRepositoryPort {
  /** Head commit of `branch`; null when there is no such branch. */
  head(branch: string): Promise<string | null>;
  /** A branch name or a (possibly abbreviated) commit SHA → full commit SHA; null when unknown. */
  resolve(ref: string): Promise<string | null>;
  /** Every file at `ref`: repository path → UTF-8 content. */
  readTree(ref: string): Promise<ReadonlyMap<string, string>>;
  /** The files of one top-level folder at `ref`, with paths relative to the folder (`index.ts`, `lib/x.ts`). */
  readFolder(ref: string, folder: string): Promise<ReadonlyMap<string, string>>;
  /** Commits reachable from `ref`, newest first; with `path`, only those that changed it. */
  log(ref: string, options: { readonly path?: string; readonly limit: number; readonly skip?: number }): Promise<readonly RepoCommit[]>;
  diff(fromRef: string, toRef: string, options: { readonly path?: string }): Promise<RepoDiff>;
  /** Commits `changes` on top of `branch` if its head is still `expectedHead` (compare-and-swap). */
  commit(
    branch: string,
    changes: readonly RepoFileChange[],
    options: { readonly message: string; readonly author: RepoIdentity; readonly expectedHead: string },
  ): Promise<RepoCommitOutcome>;
}

/**
 * Type-checks a runbook folder (folder-relative paths) against @wolfe/sdk's declarations.
 * Returns the type errors, each naming the file and line (none: it type-checks).
 */
export type TypeCheckRunbook = (name: string, files: ReadonlyMap<string, string>) => Promise<readonly RunbookProblem[]>;

/** One test case of a runbook's own tests (`tests/` in its folder). */
export interface RunbookTestCaseResult {
  readonly name: string;
  /** The test file, folder-relative (`tests/critical.yaml`), when known. */
  readonly file?: string;
  /** The test file's line of the first problem, when known. */
  readonly line?: number | null;
  readonly passed: boolean;
  /** Why it failed (file and line when known). */
  readonly message: string | null;
}

export interface RunbookTestReport {
  /** Test files found; 0 = the runbook has no tests. */
  readonly files: number;
  readonly cases: readonly RunbookTestCaseResult[];
}

/** Runs a runbook's own tests against its compiled code (the same runner as `wolfe test`). */
export interface RunbookTestRunner {
  run(input: {
    readonly name: string;
    readonly files: ReadonlyMap<string, string>;
    readonly manifest: Manifest;
    readonly compiled: CompiledRunbook;
    /** The version under test (ctx.runbook.version). */
    readonly version?: string;
  }): Promise<RunbookTestReport>;
}

/** What the lifecycle needs of the running application for one project. */
export interface ProjectRuntime {
  /** The catalog an environment serves in this process now; null when it does not serve it. */
  snapshot(env: Environment): CatalogSnapshot | null;
  /** Loads new branch heads now (called right after a commit: the in-process notification). */
  refresh(): Promise<unknown>;
  /** Starts claiming queued executions now. */
  kick(): void;
}

export interface LifecycleSettings {
  /** Whether dev → prod may skip test. Default false. */
  readonly allowSkipTest: boolean;
  /** At most this many recent matching events are replayed by the replay gate. Default 5. */
  readonly replayEvents: number;
  /** How many of the source environment's latest events the replay gate looks through. Default 1000. */
  readonly replayScan: number;
}

export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = Object.freeze({ allowSkipTest: false, replayEvents: 5, replayScan: 1000 });

export interface LifecycleProject {
  readonly name: string;
  readonly repository: RunbookRepositoryPort;
  readonly settings: LifecycleSettings;
  readonly runtime: ProjectRuntime;
  /** The bound remote (URL without credentials), if any. */
  readonly remoteUrl: string | null;
  /** Where the project comes from; default `embedded`. */
  readonly source?: 'embedded' | 'config' | 'api';
  /** Whether `POST …/:project/sync` accepts a webhook signature (a secret is configured). */
  readonly webhook?: boolean;
  /** The state of the sync with the remote; null (or absent) without a remote. */
  syncState?(): ProjectSyncDto | null;
}

/** A project that is declared or stored but cannot be served right now, and why. */
export interface UnavailableProject {
  readonly name: string;
  readonly reason: string;
}

/**
 * The projects this process serves: `default` (embedded), those of the configuration file and
 * those created through the API. The list can grow while the process runs.
 */
export interface ProjectRegistry {
  list(): readonly LifecycleProject[];
  get(name: string): LifecycleProject | null;
  /** Known but not served right now (e.g. the clone failed); retried by the registry. */
  unavailable?(): readonly UnavailableProject[];
}

/** Who asked for a change. `principal` is authenticated; `name` is what the commit's author shows. */
export interface Actor {
  /** The authenticated identity (today always `admin`: the one admin token). */
  readonly principal: string;
  /** Informational display name (X-Wolfe-Actor) until RBAC/SSO; null = the principal. */
  readonly displayName: string | null;
  readonly email: string;
}
