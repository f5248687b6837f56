import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import type { SourceLocation } from '@wolfe/application';

/** Sources with this prefix are Wolfe's own modules (entry, sdk runtime), never the runbook's files. */
const INTERNAL_SOURCE = /^wolfe:/;
/** One V8 frame: `    at fn (file:line:col)` or `    at file:line:col`. */
const FRAME = /^\s*at (?:(.*?) \()?(.*):(\d+):(\d+)\)?$/;

export interface MappedStack {
  /** Frames in the runbook's own files, e.g. `handler (index.ts:12:7)`, innermost first. */
  readonly frames: readonly string[];
  /** The innermost frame in the runbook's files (1-based line and column), if any. */
  readonly location: SourceLocation | null;
}

/** Parses a source map once; null when it is not a usable source map. */
export function parseSourceMap(sourceMap: string): TraceMap | null {
  try {
    return new TraceMap(sourceMap);
  } catch {
    return null;
  }
}

/**
 * Maps a V8 stack from the isolate to the runbook's TypeScript. Keeps only frames of the
 * runbook's script (`filename`) that map to one of the runbook's own files; every other
 * frame (Wolfe's bootstrap and runtime, `eval` code, anything else) is dropped, so the
 * result never names a file outside the runbook folder.
 */
export function mapStack(stack: string | null, filename: string, map: TraceMap | null): MappedStack {
  if (stack === null || map === null) return { frames: [], location: null };
  const frames: string[] = [];
  let location: SourceLocation | null = null;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null || m[2] !== filename) continue;
    const fn = m[1];
    const pos = originalPositionFor(map, { line: Number(m[3]), column: Math.max(0, Number(m[4]) - 1) });
    if (pos.source === null || pos.line === null || pos.column === null || INTERNAL_SOURCE.test(pos.source)) continue;
    const where = `${pos.source}:${pos.line}:${pos.column + 1}`;
    frames.push(fn === undefined || fn === '' ? where : `${fn} (${where})`);
    location ??= { file: pos.source, line: pos.line, column: pos.column + 1 };
  }
  return { frames, location };
}
