import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { compileRunbook } from '@wolfe/compiler';
import type { LoadedRunbook } from '@wolfe/runbook-tests';
import { buildCatalog, type CatalogProblem } from '@wolfe/runbooks';

/** Files bigger than this are not read (a runbook folder holds code, a manifest, fixtures and tests). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FILES = 2_000;

/** A runbook folder of the working copy, read like the server reads it from git. */
export interface RunbookFolder {
  /** Absolute path of the folder. */
  readonly dir: string;
  /** The folder's name = the runbook's name. */
  readonly name: string;
  /** Path relative to the folder (`/`-separated) → content. */
  readonly files: ReadonlyMap<string, string>;
}

export class UsageError extends Error {}

/** Reads every file of the folder (not dot-files, not node_modules), as the repository would hold them. */
export async function readRunbookFolder(path: string): Promise<RunbookFolder> {
  const dir = resolve(path);
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new UsageError(`${path}: no such folder`);
  }
  if (!info.isDirectory()) throw new UsageError(`${path} is not a folder; pass the runbook's folder (the one holding runbook.yaml)`);
  const files = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (files.size >= MAX_FILES) throw new UsageError(`${path} holds more than ${MAX_FILES} files; is it really a runbook folder?`);
        if ((await stat(full)).size > MAX_FILE_BYTES) continue;
        files.set(relative(dir, full).split(sep).join('/'), await readFile(full, 'utf8'));
      }
    }
  };
  await walk(dir);
  return { dir, name: basename(dir), files };
}

export type { LoadedRunbook } from '@wolfe/runbook-tests';

export type LoadResult = { readonly ok: true; readonly runbook: LoadedRunbook } | { readonly ok: false; readonly problems: readonly CatalogProblem[] };

/**
 * Validates and compiles the folder exactly as the server does when it loads a commit (the
 * same catalog rules: manifest, folder name = `name`, index.ts, imports), with the same compiler.
 */
export async function loadRunbook(folder: RunbookFolder): Promise<LoadResult> {
  const repoFiles = new Map<string, string>();
  for (const [file, content] of folder.files) repoFiles.set(`${folder.name}/${file}`, content);
  const catalog = await buildCatalog(repoFiles, (name, files) => compileRunbook({ name, files }));
  const entry = catalog.runbooks.find((r) => r.name === folder.name);
  if (entry === undefined || catalog.problems.length > 0) {
    const problems = catalog.problems.length > 0 ? catalog.problems : [{ runbook: folder.name, file: `${folder.name}/`, field: null, line: null, message: 'is not a runbook folder' }];
    return { ok: false, problems };
  }
  return { ok: true, runbook: { name: entry.name, manifest: entry.manifest, compiled: entry.compiled, files: folder.files } };
}
