import { RUNBOOK_NAME_PATTERN } from './limits';
import type { Manifest, RunbookProblem } from './manifest';
import { findFieldLine, parseManifest } from './parse-manifest';

export const MANIFEST_FILE = 'runbook.yaml';
export const ENTRY_FILE = 'index.ts';

export type CompileResult<C> = { readonly ok: true; readonly compiled: C } | { readonly ok: false; readonly problems: readonly RunbookProblem[] };

/**
 * Compiles one runbook. `files` holds the runbook folder's files with paths relative to the
 * folder (`index.ts`, `lib/util.ts`, `runbook.yaml`, …). Problems may name files relative to
 * the folder (`index.ts`): the catalog rewrites those to repository paths (`disk-cleanup/index.ts`).
 */
export type CompileRunbookFn<C> = (name: string, files: ReadonlyMap<string, string>) => Promise<CompileResult<C>>;

export interface CatalogEntry<C> {
  readonly name: string;
  readonly manifest: Manifest;
  readonly compiled: C;
}

export type CatalogProblem = RunbookProblem & { readonly runbook: string };

export interface Catalog<C> {
  /** Runbooks that loaded, sorted by name. */
  readonly runbooks: CatalogEntry<C>[];
  /** Problems of the runbooks that did not load; one broken runbook never hides the others. */
  readonly problems: CatalogProblem[];
}

export interface BuildCatalogOptions {
  /** How many `compile` calls run at once (default 4). */
  readonly concurrency?: number;
}

/**
 * Builds the catalog of a runbook repository at one commit.
 *
 * `files` maps repository paths (`disk-cleanup/runbook.yaml`) to contents. Files are grouped by
 * top-level folder; files at the repository root (README.md, package.json, …) and folders whose
 * name starts with a dot or is `node_modules` are ignored. Every other top-level folder is a
 * runbook and must hold runbook.yaml (whose `name` equals the folder name) and index.ts.
 *
 * `compile` is called for every folder that has an index.ts, even when its manifest has
 * problems, so that the author sees all problems of a runbook at once. A rejected `compile`
 * becomes a problem of that runbook only.
 */
export async function buildCatalog<C>(
  files: ReadonlyMap<string, string>,
  compile: CompileRunbookFn<C>,
  options: BuildCatalogOptions = {},
): Promise<Catalog<C>> {
  const folders = groupByFolder(files);
  const names = [...folders.keys()].sort();
  const results = await mapLimit(names, Math.max(1, options.concurrency ?? 4), (name) => loadRunbook(name, folders.get(name) ?? new Map(), compile));

  const runbooks: CatalogEntry<C>[] = [];
  const problems: CatalogProblem[] = [];
  for (const r of results) {
    if (r.ok) runbooks.push(r.entry);
    else problems.push(...r.problems);
  }
  return { runbooks, problems };
}

type LoadResult<C> = { ok: true; entry: CatalogEntry<C> } | { ok: false; problems: CatalogProblem[] };

async function loadRunbook<C>(folder: string, files: Map<string, string>, compile: CompileRunbookFn<C>): Promise<LoadResult<C>> {
  const problems: RunbookProblem[] = [];
  const manifestPath = `${folder}/${MANIFEST_FILE}`;

  if (!RUNBOOK_NAME_PATTERN.test(folder)) {
    problems.push({
      file: `${folder}/`,
      field: null,
      line: null,
      message: `folder name ${folder} is not a valid runbook name; rename the folder to 1 to 63 lowercase letters, digits and dashes, e.g. ${suggestName(folder)}`,
    });
  }

  let manifest: Manifest | null = null;
  const manifestText = files.get(MANIFEST_FILE);
  if (manifestText === undefined) {
    const misnamed = [...files.keys()].find((f) => /^runbook\.(yml|json)$/i.test(f) || /^runbook\.yaml$/i.test(f));
    problems.push({
      file: manifestPath,
      field: null,
      line: null,
      message: misnamed
        ? `${folder}/${misnamed} must be named ${MANIFEST_FILE}; rename it`
        : `${folder}/ has no ${MANIFEST_FILE}; add one (name, description, owner, triggers), or move the folder out of the repository root: every top-level folder is a runbook`,
    });
  } else {
    const parsed = parseManifest(manifestText, manifestPath);
    if (!parsed.ok) problems.push(...parsed.problems);
    else if (parsed.manifest.name !== folder) {
      problems.push({
        file: manifestPath,
        field: 'name',
        line: findFieldLine(manifestText, ['name']),
        message: `name: ${parsed.manifest.name} does not match the folder name ${folder}; the name and the folder must be the same: write name: ${folder} or rename the folder`,
      });
    } else manifest = parsed.manifest;
  }

  let compiled: { value: C } | null = null;
  if (!files.has(ENTRY_FILE)) {
    problems.push({
      file: `${folder}/${ENTRY_FILE}`,
      field: null,
      line: null,
      message: `${folder}/ has no ${ENTRY_FILE}; add one that default-exports the runbook`,
    });
  } else {
    try {
      const result = await compile(folder, files);
      if (result.ok) compiled = { value: result.compiled };
      else problems.push(...result.problems.map((p) => (files.has(p.file) ? { ...p, file: `${folder}/${p.file}` } : p)));
    } catch (err) {
      problems.push({
        file: `${folder}/${ENTRY_FILE}`,
        field: null,
        line: null,
        message: `could not compile: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  if (problems.length === 0 && manifest !== null && compiled !== null) {
    return { ok: true, entry: { name: folder, manifest, compiled: compiled.value } };
  }
  if (problems.length === 0) {
    // compile() said ok but something else failed without a problem: cannot happen; be explicit anyway.
    problems.push({ file: manifestPath, field: null, line: null, message: 'runbook did not load' });
  }
  return { ok: false, problems: problems.map((p) => ({ ...p, runbook: folder })) };
}

function groupByFolder(files: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const folders = new Map<string, Map<string, string>>();
  for (const [path, content] of files) {
    const normalized = path.replace(/\\/g, '/').replace(/^\.?\/+/, '');
    const slash = normalized.indexOf('/');
    if (slash <= 0) continue; // a file at the repository root
    const folder = normalized.slice(0, slash);
    const rest = normalized.slice(slash + 1);
    if (rest === '' || folder.startsWith('.') || folder === 'node_modules') continue;
    let group = folders.get(folder);
    if (!group) folders.set(folder, (group = new Map()));
    group.set(rest, content);
  }
  return folders;
}

function suggestName(folder: string): string {
  const s = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return s === '' ? 'disk-cleanup' : s;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
