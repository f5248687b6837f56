import { build, type Message, type Plugin } from 'esbuild';
import type { CompiledRunbook } from '@wolfe/application';
import type { RunbookProblem } from '@wolfe/runbooks';
import { loaderFor, normalizeRunbookPath, resolveRelativeImport } from './paths';
import { ENTRY_SOURCE, SDK_RUNTIME_SOURCE } from './runtime';

export interface CompileInput {
  /** The runbook's name (its folder), e.g. `payments/disk-cleanup`. Names the script in stacks. */
  readonly name: string;
  /** The runbook folder: relative path → content, e.g. `index.ts`, `lib/util.ts`. The only file system. */
  readonly files: ReadonlyMap<string, string>;
}

export type CompileResult = { readonly ok: true; readonly compiled: CompiledRunbook } | { readonly ok: false; readonly problems: RunbookProblem[] };

/** The file every runbook starts from. */
export const ENTRY_FILE = 'index.ts';

const SDK = '@wolfe/sdk';
/** esbuild namespace of the runbook's own files; stripped from the source map's `sources`. */
const RUNBOOK_NS = 'runbook';
/** esbuild namespace of Wolfe's own modules (entry, sdk runtime): sources `wolfe:…`, never runbook frames. */
const WOLFE_NS = 'wolfe';

const SANDBOX_HINT = `runbooks run in a sandbox and can only import '${SDK}' and their own relative files`;

/**
 * Compiles a runbook folder (TypeScript) to one classic script plus a source map.
 *
 * - Bundles `index.ts` and the relative files it imports; `@wolfe/sdk` resolves to the
 *   in-isolate runtime; any other bare import (node builtins, npm packages) is a problem
 *   naming the file and line.
 * - The script is an IIFE that sets `globalThis.__wolfe_runbook__` to the default export,
 *   after checking at run time that it is a `runbook()` definition.
 * - Types are stripped, not checked (esbuild): type errors are the editor's and CI's job.
 * - Never touches the disk; each call has its own plugin state, nothing is cached between
 *   runbooks.
 *
 * Rejects only when esbuild itself fails (not for problems in the runbook).
 */
export async function compileRunbook(input: CompileInput): Promise<CompileResult> {
  const problems: RunbookProblem[] = [];
  const files = new Map<string, string>();
  for (const [raw, content] of input.files) {
    const path = normalizeRunbookPath(raw);
    if (path === null || path.includes(':')) {
      problems.push(problem(raw, null, 'file paths must be relative to the runbook folder, without ".." above it or ":"'));
      continue;
    }
    files.set(path, content);
  }
  if (!files.has(ENTRY_FILE)) {
    problems.push(problem(ENTRY_FILE, null, "missing — a runbook needs an index.ts that ends with `export default runbook(async (ctx) => { … })`"));
  }
  if (problems.length > 0) return { ok: false, problems };

  let result;
  try {
    result = await build({
      entryPoints: [{ in: `${WOLFE_NS}:entry`, out: 'index' }],
      outdir: '/',
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'neutral',
      target: 'es2023',
      sourcemap: 'external',
      sourcesContent: true,
      banner: { js: '"use strict";' },
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
      // Without this esbuild would look for tsconfig.json files on disk.
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false, experimentalDecorators: false } },
      plugins: [inMemoryPlugin(files)],
    });
  } catch (error) {
    const messages = buildFailureMessages(error);
    if (messages === null) throw error;
    return { ok: false, problems: dedupe(messages.map(toProblem)) };
  }

  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (js === undefined || map === undefined) throw new Error('esbuild produced no script or no source map');
  return {
    ok: true,
    compiled: { code: js.text, sourceMap: relativeSources(map.text), filename: scriptFilename(input.name) },
  };
}

function inMemoryPlugin(files: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'wolfe-runbook-files',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: 'entry', namespace: WOLFE_NS };
        if (args.namespace === WOLFE_NS && args.path === `${RUNBOOK_NS}:${ENTRY_FILE}`) return { path: ENTRY_FILE, namespace: RUNBOOK_NS };
        if (args.path === SDK) return { path: 'sdk', namespace: WOLFE_NS };
        if (args.path.startsWith('./') || args.path.startsWith('../')) {
          const resolved = resolveRelativeImport(args.importer, args.path, (p) => files.has(p));
          if (!resolved.ok) return { errors: [{ text: resolved.reason }] };
          if (resolved.path.includes(':')) return { errors: [{ text: `imports '${args.path}' — file names with ':' cannot be imported` }] };
          return { path: resolved.path, namespace: RUNBOOK_NS };
        }
        return { errors: [{ text: `imports '${args.path}' — ${SANDBOX_HINT}` }] };
      });
      b.onLoad({ filter: /.*/, namespace: WOLFE_NS }, (args) => ({ contents: args.path === 'entry' ? ENTRY_SOURCE : SDK_RUNTIME_SOURCE, loader: 'js' }));
      b.onLoad({ filter: /.*/, namespace: RUNBOOK_NS }, (args) => {
        const contents = files.get(args.path);
        const loader = loaderFor(args.path);
        if (contents === undefined || loader === null) return { errors: [{ text: `cannot load '${args.path}'` }] };
        return { contents, loader };
      });
    },
  };
}

function buildFailureMessages(error: unknown): readonly Message[] | null {
  if (error === null || typeof error !== 'object' || !('errors' in error)) return null;
  const errors = (error as { errors: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as Message[]) : null;
}

function toProblem(message: Message): RunbookProblem {
  const text = message.text.replaceAll(`${RUNBOOK_NS}:`, '');
  const loc = message.location;
  if (/No matching export in ".*" for import "default"/.test(message.text)) {
    return problem(ENTRY_FILE, null, "has no default export — end it with `export default runbook(async (ctx) => { … })` (import { runbook } from '@wolfe/sdk')");
  }
  if (loc === null || !loc.file.startsWith(`${RUNBOOK_NS}:`)) return problem(ENTRY_FILE, null, text);
  return problem(loc.file.slice(RUNBOOK_NS.length + 1), loc.line, text);
}

function problem(file: string, line: number | null, text: string): RunbookProblem {
  return { file, field: null, line, message: line === null ? `${file}: ${text}` : `${file}:${line}: ${text}` };
}

function dedupe(problems: RunbookProblem[]): RunbookProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.message)) return false;
    seen.add(p.message);
    return true;
  });
}

/** Source map `sources` relative to the runbook folder: `runbook:lib/util.ts` → `lib/util.ts`. */
function relativeSources(mapText: string): string {
  const map = JSON.parse(mapText) as { sources?: unknown };
  if (Array.isArray(map.sources)) {
    map.sources = map.sources.map((s: unknown) => (typeof s === 'string' && s.startsWith(`${RUNBOOK_NS}:`) ? s.slice(RUNBOOK_NS.length + 1) : s));
  }
  return JSON.stringify(map);
}

/** `payments/disk-cleanup` → `payments/disk-cleanup/index.js` (only safe characters, so stacks parse). */
export function scriptFilename(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._@/-]/g, '_').replace(/^\/+|\/+$/g, '') || 'runbook';
  return `${safe}/index.js`;
}
