import type { ExecutionError, SourceLocation } from '@wolfe/application';

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** `RangeError: disk is full (at index.ts:6:11)`, the mapped stack, and the lines around the location. */
export function formatError(error: ExecutionError, files: ReadonlyMap<string, string>): string[] {
  const lines = [`${error.name}: ${error.message}${error.limit === null ? '' : ` [limit: ${error.limit}]`}`];
  if (error.stack !== null) lines.push(...error.stack.split('\n').slice(1));
  if (error.location !== null) lines.push(...codeFrame(files, error.location));
  return lines;
}

/** The source lines around a location, the location's line marked with `>` and a caret. */
export function codeFrame(files: ReadonlyMap<string, string>, at: SourceLocation): string[] {
  const text = files.get(at.file);
  if (text === undefined) return [];
  const source = text.split('\n');
  const out = [`  ${at.file}:${at.line}:${at.column}`];
  const width = String(Math.min(source.length, at.line + 1)).length;
  for (let n = Math.max(1, at.line - 2); n <= Math.min(source.length, at.line + 1); n++) {
    out.push(`  ${n === at.line ? '>' : ' '} ${String(n).padStart(width)} | ${source[n - 1] ?? ''}`);
    if (n === at.line) out.push(`    ${' '.repeat(width)} | ${' '.repeat(Math.max(0, at.column - 1))}^`);
  }
  return out;
}
