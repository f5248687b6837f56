/** Per-execution caps that are the platform's, not the runbook's (runbook.yaml sets time and memory). */
export interface OutputLimits {
  /** Log lines kept per execution; then one warning line and nothing more. */
  readonly maxLogLines: number;
  /** Bytes (UTF-8 message + fields JSON) of log kept per execution. */
  readonly maxLogBytes: number;
  /** Characters kept of one log message (the rest is cut, marked `… [truncated]`). */
  readonly maxLogMessageChars: number;
  /** Bytes of JSON kept for one log line's fields (larger fields are dropped, the message says so). */
  readonly maxLogFieldsBytes: number;
  /** Bytes of JSON the result may take, measured inside the isolate before anything is copied out. */
  readonly maxResultBytes: number;
  /** Nesting depth of the result and of log fields. */
  readonly maxJsonDepth: number;
  /** Characters kept of an error's message (its stack keeps four times as much). */
  readonly maxErrorTextChars: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  maxLogLines: 10_000,
  maxLogBytes: 1024 * 1024,
  maxLogMessageChars: 16_384,
  maxLogFieldsBytes: 64 * 1024,
  maxResultBytes: 256 * 1024,
  maxJsonDepth: 64,
  maxErrorTextChars: 4_096,
};

/** isolated-vm refuses smaller heaps. */
export const MIN_MEMORY_MIB = 8;

/** `30000` → `30s`, `1500` → `1.5s`, `250` → `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** `1048576` → `1 MiB`, `262144` → `256 KiB`, `1000` → `1000 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
