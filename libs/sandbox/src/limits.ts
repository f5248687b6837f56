import { Buffer } from 'node:buffer';

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
  /** Nesting depth of the result, of log fields, of attachments and of `params`. */
  readonly maxJsonDepth: number;
  /** Characters kept of an error's message (its stack keeps four times as much). */
  readonly maxErrorTextChars: number;
  /**
   * Calls from the runbook to the host per execution: every `ctx.log.*` / `console.*` line,
   * `ctx.step` start and end, `ctx.attach`, `ctx.sleep`, and every call of `ctx.secrets`, `ctx.state`,
   * `ctx.http`, `ctx.emit`, `ctx.prometheus`. Exceeded → `failed`, `limit: 'host_calls'`.
   */
  readonly maxHostCalls: number;
  /** `ctx.step` calls recorded per execution; later steps still run but are not recorded (one warning line says so). */
  readonly maxSteps: number;
  /** Characters kept of a step's name. */
  readonly maxStepNameChars: number;
  /** Bytes kept of a step's output (JSON of its value, cut and marked `…` beyond this) and of its error text. */
  readonly maxStepOutputBytes: number;
  /** Bytes of JSON one `ctx.attach` may take. */
  readonly maxAttachmentBytes: number;
  /** Bytes of JSON all attachments of one execution may take together. */
  readonly maxAttachmentsBytes: number;
  /** `ctx.attach` calls per execution. */
  readonly maxAttachments: number;
  /** Bytes of JSON `params` may take (a bigger request is refused). */
  readonly maxParamsBytes: number;
  /** Asynchronous `ctx` calls (secrets, state, http, emit, prometheus) in flight at once per execution; one more rejects with a RangeError. */
  readonly maxPendingCalls: number;
  /** Bytes of JSON of one asynchronous call's arguments (an http body is at most 1 MiB). */
  readonly maxCallBytes: number;
  /** Bytes of JSON of one asynchronous call's answer copied into the isolate. */
  readonly maxCallResultBytes: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  maxLogLines: 10_000,
  maxLogBytes: 1024 * 1024,
  maxLogMessageChars: 16_384,
  maxLogFieldsBytes: 64 * 1024,
  maxResultBytes: 256 * 1024,
  maxJsonDepth: 64,
  maxErrorTextChars: 4_096,
  maxHostCalls: 100_000,
  maxSteps: 1_000,
  maxStepNameChars: 200,
  maxStepOutputBytes: 1024,
  maxAttachmentBytes: 256 * 1024,
  maxAttachmentsBytes: 1024 * 1024,
  maxAttachments: 20,
  maxParamsBytes: 256 * 1024,
  maxPendingCalls: 16,
  maxCallBytes: 1024 * 1024 + 128 * 1024,
  maxCallResultBytes: 4 * 1024 * 1024,
};

/** isolated-vm refuses smaller heaps. */
export const MIN_MEMORY_MIB = 8;

/** `30000` → `30s`, `1500` → `1.5s`, `250` → `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toFixed(3))}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** `1048576` → `1 MiB`, `262144` → `256 KiB`, `1000` → `1000 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Cuts `s` to at most `maxBytes` bytes of UTF-8 (never inside a character), marking the cut with `…`. */
export function cutUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || Buffer.byteLength(s) <= maxBytes) return s;
  const mark = '…'; // 3 bytes
  const budget = Math.max(0, maxBytes - 3);
  let bytes = 0;
  let end = 0;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    const pair = c >= 0xd800 && c <= 0xdbff && end + 1 < s.length;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + n > budget) break;
    bytes += n;
    end += pair ? 2 : 1;
  }
  return s.slice(0, end) + mark;
}
