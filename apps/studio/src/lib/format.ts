import type { ExecutionStatusDto } from '@wolfe/api-types';

export const STATUSES: readonly ExecutionStatusDto[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'];
export const ENVS = ['dev', 'test', 'prod'] as const;

export function isActive(status: ExecutionStatusDto): boolean {
  return status === 'queued' || status === 'running';
}

export function shortSha(sha: string): string {
  return /^[0-9a-f]{8,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local `YYYY-MM-DD HH:mm:ss`; `—` for null, the input for garbage. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local `HH:mm:ss.SSS`, for log lines. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const totalSeconds = Math.floor(s);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(sec)}s`;
}

/** `timed_out` → `Timed out`. */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function prettyJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** `512 B`, `1.5 KiB`, `2.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A step's output (a short JSON preview, possibly cut and ending in `…`): pretty when it parses. */
export function prettyPreview(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? JSON.stringify(value, null, 2) : text;
  } catch {
    return text;
  }
}

export type Cell = string | number | boolean | null;

/** Rows and their columns (in order of first appearance), when `value` is an array of flat objects. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
}

const isCell = (v: unknown): v is Cell => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * An array of (at least one) plain objects whose values are all strings, numbers, booleans or
 * null reads best as a table; anything else (nested values, mixed items) is shown as JSON.
 */
export function asTable(value: unknown): Table | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const columns = new Set<string>();
  const rows: Record<string, Cell>[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
    const row: Record<string, Cell> = {};
    for (const [k, v] of Object.entries(item)) {
      if (!isCell(v)) return null;
      columns.add(k);
      Object.defineProperty(row, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    rows.push(row);
  }
  if (columns.size === 0) return null;
  return { columns: [...columns], rows };
}
