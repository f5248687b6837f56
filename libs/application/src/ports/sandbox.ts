import type { AlertStatus, Labels } from '@wolfe/events';
import type { RunbookCapabilities } from './capabilities';
import type { Environment, ExecutionError, LogLevel } from './records';

/** A runbook compiled once, at load time: one script plus its source map. */
export interface CompiledRunbook {
  /** Classic script (not a module) that sets the global `__wolfe_runbook__` to the default export. */
  readonly code: string;
  /** Source map v3 (JSON text) from `code` back to the runbook's TypeScript files. */
  readonly sourceMap: string;
  /** Name the script is given in stacks, e.g. `payments/disk-cleanup/index.js`. */
  readonly filename: string;
}

/** The event as the runbook sees it (`ctx.event`): plain data, copied into the isolate. */
export interface SandboxEvent {
  readonly id: string;
  readonly source: string;
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status: AlertStatus;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly receivedAt: string;
}

export interface SandboxLimits {
  /** Wall-clock limit for the whole execution, including awaited promises. */
  readonly timeoutMs: number;
  /** Isolate heap limit in MiB. */
  readonly memoryMiB: number;
  /** CPU time the isolate may spend on the execution; default = `timeoutMs` (sleeping and awaiting cost none). */
  readonly cpuTimeMs?: number;
}

export interface SandboxLogEntry {
  readonly ts: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | null;
}

/** One `ctx.step(name, fn)` of an execution: the notebook of what was checked and done. */
export interface SandboxStep {
  /** 0, 1, 2, … in the order steps started. */
  readonly seq: number;
  readonly name: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Short JSON rendering of the step's return value (bounded, e.g. 1 KiB). */
  readonly output: string | null;
  readonly error: string | null;
}

/** `ctx.attach(name, data)`: a table or series kept with the execution (JSON, bounded). */
export interface SandboxAttachment {
  readonly name: string;
  readonly contentType: 'application/json';
  /** JSON text. */
  readonly data: string;
}

export interface SandboxRequest {
  readonly executionId: string;
  readonly runbook: { readonly name: string; readonly version: string };
  readonly env: Environment;
  readonly compiled: CompiledRunbook;
  readonly event: SandboxEvent | null;
  readonly limits: SandboxLimits;
  /** `ctx.params`: JSON parameters of this run (manual runs, tests); default `{}`. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Called synchronously for every log line, in order. */
  readonly onLog: (entry: SandboxLogEntry) => void;
  /** Called when a step starts and again when it ends (same seq). Optional for callers that do not keep steps. */
  readonly onStep?: (step: SandboxStep) => void;
  /** Called for every ctx.attach. Optional. */
  readonly onAttach?: (attachment: SandboxAttachment) => void;
  /**
   * The host side of `ctx.secrets`, `ctx.state`, `ctx.http`, `ctx.emit` and `ctx.prometheus`,
   * built for this execution (see ./capabilities.ts). A capability left out makes its `ctx`
   * calls reject with `CapabilityUnavailableError` (e.g. a replay dry run has none).
   */
  readonly capabilities?: RunbookCapabilities;
}

export type SandboxOutcome =
  | { readonly status: 'succeeded'; readonly result: unknown }
  | { readonly status: 'failed' | 'timed_out'; readonly error: ExecutionError };

/** Runs compiled runbooks in isolation. Implemented by libs/sandbox (isolated-vm). */
export interface RunbookSandbox {
  run(request: SandboxRequest): Promise<SandboxOutcome>;
  dispose(): Promise<void>;
}
