import { MANIFEST_FILE } from '@wolfe/runbooks';
import type { RepoFileChange } from './ports';

/** Test files live in `tests/` inside the runbook's folder. */
export const TESTS_DIR = 'tests/';

/** A runbook folder split the way the API shows it. */
export interface FolderParts {
  /** runbook.yaml, or null when missing. */
  readonly manifest: string | null;
  /** Every other file outside tests/ (index.ts, lib/…, fixtures/…), folder-relative. */
  readonly code: Record<string, string>;
  /** Files under tests/, folder-relative (`tests/firing.yaml`). */
  readonly tests: Record<string, string>;
}

export function splitFolder(files: ReadonlyMap<string, string>): FolderParts {
  let manifest: string | null = null;
  const code: Record<string, string> = {};
  const tests: Record<string, string> = {};
  for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (path === MANIFEST_FILE) manifest = content;
    else if (path.startsWith(TESTS_DIR)) tests[path] = content;
    else code[path] = content;
  }
  return { manifest, code, tests };
}

export function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** The file changes that turn folder `current` into `next` (folder-relative maps) under `folder/`. */
export function folderChanges(folder: string, current: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): RepoFileChange[] {
  const changes: RepoFileChange[] = [];
  for (const [path, content] of next) if (current.get(path) !== content) changes.push({ path: `${folder}/${path}`, content });
  for (const path of current.keys()) if (!next.has(path)) changes.push({ path: `${folder}/${path}`, content: null });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Top-level folders of a repository tree (root files and dot folders are not runbooks). */
export function runbookFolders(tree: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const folders = new Map<string, Map<string, string>>();
  for (const [path, content] of tree) {
    const slash = path.indexOf('/');
    if (slash <= 0) continue;
    const folder = path.slice(0, slash);
    if (folder.startsWith('.') || folder === 'node_modules') continue;
    let files = folders.get(folder);
    if (!files) folders.set(folder, (files = new Map()));
    files.set(path.slice(slash + 1), content);
  }
  return folders;
}

/**
 * A folder-relative path a client may write: forward slashes, no `..`, `.`, empty or dot-git
 * segments, no control characters, at most 200 characters.
 */
export function isWritablePath(path: string): boolean {
  if (path === '' || path.length > 200 || path.startsWith('/') || path.includes('\\')) return false;
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && part.toLowerCase() !== '.git');
}
