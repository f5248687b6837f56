/**
 * Paths inside a runbook folder. Pure string work: the runbook's files map is the only file
 * system the compiler knows, so resolution never touches the disk.
 */

/** Extensions a runbook may import, in the order tried for an extension-less specifier. */
export const IMPORTABLE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'] as const;

export type Loader = 'ts' | 'js' | 'json';

/** Which esbuild loader handles a file, or null when it cannot be imported. */
export function loaderFor(path: string): Loader | null {
  if (/\.d\.[cm]?ts$/.test(path)) return null;
  if (/\.[cm]?ts$/.test(path)) return 'ts';
  if (/\.[cm]?js$/.test(path)) return 'js';
  if (path.endsWith('.json')) return 'json';
  return null;
}

/**
 * Normalizes a path relative to the runbook folder: `./lib/../util.ts` → `util.ts`.
 * Returns null for an absolute path, a Windows path, or one that leaves the folder.
 */
export function normalizeRunbookPath(path: string): string | null {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[A-Za-z]:/.test(path)) return null;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out.length === 0 ? null : out.join('/');
}

export type ResolveResult = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/**
 * Resolves a relative import (`./x`, `../lib/y.js`) from `importer` (a runbook path) the way
 * TypeScript's bundler resolution does: the exact file, then `.js`→`.ts`, then each
 * importable extension, then `index.*` in a folder.
 */
export function resolveRelativeImport(importer: string, specifier: string, exists: (path: string) => boolean): ResolveResult {
  const slash = importer.lastIndexOf('/');
  const dir = slash === -1 ? '' : importer.slice(0, slash + 1);
  const joined = normalizeRunbookPath(dir + specifier.replace(/[?#].*$/, ''));
  if (joined === null) {
    return { ok: false, reason: `imports '${specifier}', which is outside the runbook folder — runbooks can only import their own files and '@wolfe/sdk'` };
  }
  const candidates: string[] = [];
  const swapped = joined.replace(/\.(m|c)?js$/, (_m, kind: string | undefined) => `.${kind ?? ''}ts`);
  // TypeScript style: `./x.js` means `./x.ts` when that exists.
  if (swapped !== joined) candidates.push(swapped);
  if (loaderFor(joined) !== null) candidates.push(joined);
  for (const ext of IMPORTABLE_EXTENSIONS) candidates.push(joined + ext);
  for (const ext of IMPORTABLE_EXTENSIONS) candidates.push(`${joined}/index${ext}`);
  const found = candidates.find(exists);
  if (found !== undefined) return { ok: true, path: found };
  if (exists(joined) && loaderFor(joined) === null) {
    return { ok: false, reason: `imports '${specifier}' — only .ts, .js and .json files can be imported` };
  }
  return { ok: false, reason: `imports '${specifier}', but there is no such file in the runbook folder (looked for ${candidates.slice(0, 3).join(', ')}, …)` };
}
