import type { ExecutionError, SandboxAttachment, SandboxLogEntry, SandboxOutcome, SandboxStep, SourceLocation } from '@wolfe/application';
import { formatProblem, type RunbookProblem } from '@wolfe/runbooks';

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatLog(entry: SandboxLogEntry): string {
  const time = entry.ts.slice(11, 23);
  const fields = entry.fields === null ? '' : ` ${JSON.stringify(entry.fields)}`;
  return `${time} ${entry.level.padEnd(5)} ${entry.message}${fields}`;
}

/** One line per finished step (the `running` report is folded into it), in start order. */
export function formatSteps(steps: readonly SandboxStep[]): string[] {
  const last = new Map<number, SandboxStep>();
  for (const s of steps) last.set(s.seq, s);
  return [...last.values()]
    .sort((a, b) => a.seq - b.seq)
    .map((s) => {
      const took = s.finishedAt === null ? '' : ` (${formatMs(Date.parse(s.finishedAt) - Date.parse(s.startedAt))})`;
      const detail = s.status === 'succeeded' ? (s.output === null ? '' : ` → ${s.output}`) : s.status === 'failed' ? ` ✗ ${s.error ?? ''}` : '';
      return `step ${s.seq} ${JSON.stringify(s.name)} ${s.status}${took}${detail}`;
    });
}

export function formatAttachment(a: SandboxAttachment): string {
  const bytes = Buffer.byteLength(a.data);
  return `attachment ${JSON.stringify(a.name)} (${a.contentType}, ${bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`})`;
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

export function formatOutcome(outcome: SandboxOutcome, ms: number): string {
  return outcome.status === 'succeeded' ? `succeeded in ${formatMs(ms)}` : `${outcome.status} after ${formatMs(ms)}`;
}

export function formatProblems(problems: readonly RunbookProblem[]): string[] {
  return problems.map((p) => formatProblem(p));
}
