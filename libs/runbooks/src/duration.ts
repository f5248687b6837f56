const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * Parses a manifest duration: a number followed by `ms`, `s` or `m` (`500ms`, `30s`, `1.5m`).
 * No spaces, no compound forms (`1m30s`), no bare numbers (is `30` seconds or milliseconds?).
 * Returns whole milliseconds, or null when the text is not a duration or is not a whole
 * number of milliseconds (`0.5ms`).
 */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const amount = Number(m[1]);
  const unit = m[2] as keyof typeof UNIT_MS;
  // Scale by the decimal digits first so that 1.1s is exactly 1100, not 1100.0000000000002.
  const ms = Math.round(amount * UNIT_MS[unit] * 1e6) / 1e6;
  if (!Number.isSafeInteger(ms)) return null;
  return ms;
}

/** Formats milliseconds the way a manifest would write them: 30000 → `30s`, 90000 → `90s`, 1500 → `1500ms`. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
