import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { CompileRunbook, TypeCheckRunbook } from '@wolfe/application';
import type { RunbookProblem } from '@wolfe/runbooks';
import { SDK_DECLARATIONS } from './sdk-declarations.generated';

/**
 * Type-checks runbooks with the TypeScript compiler API. The program's only files are the
 * runbook's own files (under `/runbook/`), @wolfe/sdk's declarations (generated from
 * libs/sdk/src/index.ts and shipped with the server: sdk-declarations.generated.ts), the
 * sandbox's globals (`console`) and TypeScript's own ES2023 library — no disk, no node_modules,
 * no @types. The library's parsed files are kept between checks; results are cached by content.
 */

const ROOT = '/runbook/';
const SDK_FILE = '/wolfe/sdk/index.d.ts';
const GLOBALS_FILE = '/wolfe/sandbox-globals.d.ts';
const MAX_PROBLEMS = 20;
const CACHE_ENTRIES = 256;

/** What the sandbox adds to ECMAScript: `console` (its lines go to the execution's log). */
const SANDBOX_GLOBALS = `
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  trace(...data: unknown[]): void;
}
declare var console: Console;
`;

export const TYPECHECK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  paths: { '@wolfe/sdk': [SDK_FILE] },
  strict: true,
  noEmit: true,
  isolatedModules: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  esModuleInterop: true,
  skipLibCheck: true,
  types: [],
  noFallthroughCasesInSwitch: true,
  forceConsistentCasingInFileNames: true,
};

const libDir = dirname(ts.getDefaultLibFilePath(TYPECHECK_OPTIONS));
/** Parsed library files, shared by every check (parsing lib.es*.d.ts is most of a first check's time). */
const libFiles = new Map<string, ts.SourceFile | undefined>();
const cache = new Map<string, readonly RunbookProblem[]>();

function libSourceFile(fileName: string, languageVersion: ts.ScriptTarget | ts.CreateSourceFileOptions): ts.SourceFile | undefined {
  if (!libFiles.has(fileName)) {
    let text: string | undefined;
    try {
      text = readFileSync(fileName, 'utf8');
    } catch {
      text = undefined;
    }
    libFiles.set(fileName, text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion));
  }
  return libFiles.get(fileName);
}

function contentKey(name: string, files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256').update(name).update('\0');
  for (const [p, c] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(p).update('\0').update(c).update('\0');
  return h.digest('hex');
}

/** The check itself (synchronous: TypeScript's checker is). Files are folder-relative. */
export function typeCheckFiles(files: ReadonlyMap<string, string>): RunbookProblem[] {
  const virtual = new Map<string, string>();
  for (const [p, c] of files) if (/\.(ts|tsx|mts|cts|json)$/.test(p)) virtual.set(`${ROOT}${p}`, c);
  virtual.set(SDK_FILE, SDK_DECLARATIONS);
  virtual.set(GLOBALS_FILE, SANDBOX_GLOBALS);
  const isLib = (f: string): boolean => f.startsWith(`${libDir}/`);
  const host: ts.CompilerHost = {
    getSourceFile: (fileName, languageVersion) => {
      if (isLib(fileName)) return libSourceFile(fileName, languageVersion);
      const text = virtual.get(fileName);
      return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, true);
    },
    getDefaultLibFileName: (o) => join(libDir, ts.getDefaultLibFileName(o)),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => virtual.has(f) || (isLib(f) && libSourceFile(f, ts.ScriptTarget.ES2023) !== undefined),
    readFile: (f) => virtual.get(f) ?? (isLib(f) ? libSourceFile(f, ts.ScriptTarget.ES2023)?.text : undefined),
    directoryExists: (d) => {
      const dir = d.endsWith('/') ? d : `${d}/`;
      return isLib(dir) || dir === `${libDir}/` || [...virtual.keys()].some((k) => k.startsWith(dir));
    },
    getDirectories: () => [],
    realpath: (p) => p,
  };
  const program = ts.createProgram({ rootNames: [`${ROOT}index.ts`, GLOBALS_FILE], options: TYPECHECK_OPTIONS, host });
  const problems: RunbookProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const text = hint(ts.flattenDiagnosticMessageText(d.messageText, ' '));
    if (d.file && d.start !== undefined && d.file.fileName.startsWith(ROOT)) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      problems.push({ file: d.file.fileName.slice(ROOT.length), field: null, line: line + 1, message: `TS${d.code}: ${text} (column ${character + 1})` });
    } else if (!d.file) {
      problems.push({ file: 'index.ts', field: null, line: null, message: `TS${d.code}: ${text}` });
    }
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return problems;
}

/** TypeScript suggests installing @types/node or changing `lib`; in a sandbox neither applies. */
function hint(text: string): string {
  const cut = text.replace(/\s*(Do you need to install type definitions|Do you need to change your target library).*$/s, '');
  return cut === text ? text : `${cut} Runbooks run in a sandbox: ECMAScript, console and ctx only (no Node.js, no DOM).`;
}

/** The TypeCheckRunbook port: cached by content (a commit is checked once, like it is compiled once). */
export const typeCheckRunbook: TypeCheckRunbook = async (name, files) => {
  const key = contentKey(name, files);
  const hit = cache.get(key);
  if (hit) return hit;
  const problems = typeCheckFiles(files);
  cache.set(key, problems);
  while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
  return problems;
};

/**
 * The catalog's loader with types: a runbook whose code does not type-check against @wolfe/sdk
 * does not load (like one that does not compile), whichever way its commit arrived.
 */
export function typeCheckedCompile(compile: CompileRunbook, typeCheck: TypeCheckRunbook = typeCheckRunbook): CompileRunbook {
  return async (name, files) => {
    const out = await compile(name, files);
    if (!out.ok) return out;
    const code = new Map([...files].filter(([p]) => !p.startsWith('tests/')));
    const problems = await typeCheck(name, code);
    return problems.length === 0 ? out : { ok: false, problems };
  };
}
