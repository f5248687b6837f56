/**
 * Parsers for `git log` and `git diff` output (pure functions, unit-tested on their own).
 */

export interface Trailer {
  /** As written, e.g. `Wolfe-Action`. */
  readonly key: string;
  readonly value: string;
}

export interface CommitInfo {
  /** Full commit SHA. */
  readonly version: string;
  readonly author: { readonly name: string; readonly email: string };
  /** Author date, ISO-8601 with offset, e.g. `2026-11-21T14:00:00+00:00`. */
  readonly date: string;
  readonly committer: { readonly name: string; readonly email: string };
  /** The whole message (subject, body and trailers), without the final newline. */
  readonly message: string;
  /** The first line of the message. */
  readonly subject: string;
  /** `Key: value` lines of the message's last paragraph, as git parses them (folded lines unfolded), in order. */
  readonly trailers: readonly Trailer[];
}

export type DiffFileStatus = 'added' | 'modified' | 'deleted' | 'type-changed';

export interface DiffFile {
  readonly path: string;
  readonly status: DiffFileStatus;
  /** Lines added / deleted; null for binary files. */
  readonly additions: number | null;
  readonly deletions: number | null;
}

export interface DiffResult {
  /** Commit SHAs the refs resolved to. */
  readonly from: string;
  readonly to: string;
  /** Unified diff (`git diff -p`), empty when nothing changed. */
  readonly text: string;
  /** One entry per changed file, sorted by path. */
  readonly files: readonly DiffFile[];
}

const RECORD = '\x1e';
const FIELD = '\x1f';

/** `--format` for `git log` that parseLog reads: one record per commit, fields split by \x1f. */
export const LOG_FORMAT = `--format=${['%x1e%H', '%an', '%ae', '%aI', '%cn', '%ce', '%B', '%(trailers:only,unfold)'].join('%x1f')}`;

export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split(RECORD)) {
    if (record.trim() === '') continue;
    const fields = record.split(FIELD);
    if (fields.length < 8) throw new Error(`git log: unexpected record ${JSON.stringify(record.slice(0, 80))}`);
    const [version, an, ae, date, cn, ce] = fields as [string, string, string, string, string, string];
    // A message containing \x1f (possible in commits made elsewhere) spans several fields.
    const message = fields.slice(6, -1).join(FIELD).replace(/\n+$/, '');
    const trailers = parseTrailerLines(fields[fields.length - 1] ?? '');
    commits.push({
      version: version.trim(),
      author: { name: an, email: ae },
      date,
      committer: { name: cn, email: ce },
      message,
      subject: message.split('\n', 1)[0] ?? '',
      trailers,
    });
  }
  return commits;
}

/** `Key: value` lines (git's `%(trailers:only,unfold)` output) → trailers in order. */
export function parseTrailerLines(text: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)$/.exec(line);
    if (m) out.push({ key: m[1] as string, value: (m[2] as string).trim() });
  }
  return out;
}

/**
 * Parses `git diff --raw --numstat -z --no-renames`: raw records (`:mode mode sha sha X\0path\0`)
 * followed by numstat records (`added\tdeleted\tpath\0`).
 */
export function parseRawNumstat(out: string): DiffFile[] {
  const tokens = out.split('\0');
  const status = new Map<string, DiffFileStatus>();
  const counts = new Map<string, { additions: number | null; deletions: number | null }>();
  for (let i = 0; i < tokens.length; i++) {
    const t = (tokens[i] as string).replace(/^\n+/, '');
    if (t === '') continue;
    if (t.startsWith(':')) {
      const letter = t.trim().split(/\s+/)[4]?.charAt(0);
      const path = tokens[++i] ?? '';
      status.set(path, letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : letter === 'T' ? 'type-changed' : 'modified');
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(t);
    if (m) {
      counts.set(m[3] as string, { additions: m[1] === '-' ? null : Number(m[1]), deletions: m[2] === '-' ? null : Number(m[2]) });
    }
  }
  return [...status.entries()]
    .map(([path, s]) => ({ path, status: s, ...(counts.get(path) ?? { additions: null, deletions: null }) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
