import type { Manifest, RunbookProblem } from '@wolfe/runbooks';
import type { Environment } from './records';
import type { CompiledRunbook } from './sandbox';

/** Structured logger port (pino-shaped). Never pass a secret in `fields`. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Where runbook files come from: one branch per environment (implemented over git). */
export interface RunbookSource {
  /** Commit SHA the environment's branch points at. */
  head(env: Environment): Promise<string>;
  /** All files at a commit: repo path → UTF-8 content. */
  readTree(version: string): Promise<ReadonlyMap<string, string>>;
}

export type CompileOutcome =
  | { readonly ok: true; readonly compiled: CompiledRunbook }
  | { readonly ok: false; readonly problems: readonly RunbookProblem[] };

/** Compiles one runbook folder (paths relative to the folder). */
export type CompileRunbook = (name: string, files: ReadonlyMap<string, string>) => Promise<CompileOutcome>;

export interface LoadedRunbook {
  readonly name: string;
  /** Commit SHA of the repository state this runbook was loaded from. */
  readonly version: string;
  readonly manifest: Manifest;
  readonly compiled: CompiledRunbook;
}
