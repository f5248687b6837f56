import type { SandboxAttachment, SandboxLogEntry, SandboxOutcome, SandboxStep } from '@wolfe/application';
import { formatMs } from '@wolfe/runbook-tests';
import { formatProblem, type RunbookProblem } from '@wolfe/runbooks';

export { codeFrame, formatError, formatMs } from '@wolfe/runbook-tests';

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

export function formatOutcome(outcome: SandboxOutcome, ms: number): string {
  return outcome.status === 'succeeded' ? `succeeded in ${formatMs(ms)}` : `${outcome.status} after ${formatMs(ms)}`;
}

export function formatProblems(problems: readonly RunbookProblem[]): string[] {
  return problems.map((p) => formatProblem(p));
}
