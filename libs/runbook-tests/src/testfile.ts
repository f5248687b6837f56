import { posix } from 'node:path';
import type { Environment, LogLevel, SandboxEvent } from '@wolfe/application';
import { findFieldLine } from '@wolfe/runbooks';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { eventFromPayload } from './event';

/**
 * A runbook test: `tests/<name>.yaml` in the runbook folder.
 *
 * ```yaml
 * name: a critical disk gets the full plan       # optional (default: the file name)
 * event: ../fixtures/alertmanager-firing.json    # a file, relative to this one: an event or a raw webhook
 * event:                                         # … or inline
 *   labels: { alertname: DiskAlmostFull, severity: critical }
 *   annotations: { used_percent: "97" }
 * source: alertmanager                           # optional: the source of a raw payload
 * params: { dryRun: true }                       # optional: ctx.params
 * env: prod                                      # optional: ctx.env (default dev)
 * expect:
 *   status: succeeded                            # succeeded | failed | timed_out (default succeeded)
 *   result: { … }                                # the result, exactly (JSON)
 *   resultIncludes: { plan: [rotated-logs] }     # … or only these keys
 *   error: disk is full                          # part of the error message
 *   logs: [disk almost full, { level: warn, message: paging }]   # each is part of some log line
 *   steps: [measure disk, { name: page the owner, status: failed }]
 *   state: { last-page: '2026-11-21T14:00:00.000Z' }   # the runbook's state afterwards, exactly
 *   emitted: [{ labels: { alertname: DiskCleaned } }]   # events ctx.emit raised, in order (labels included)
 * secrets:                                       # ctx.secrets: fake values (runbook.yaml must declare them)
 *   SLACK_TOKEN: xoxb-test-token
 * state:                                         # ctx.state before the run
 *   last-page: '2026-11-20T09:00:00.000Z'
 * http:                                          # ctx.http: recorded responses, keyed by "METHOD URL"
 *   GET https://api.example.com/v1/disks/db-1:
 *     status: 200                                # default 200
 *     json: { used_percent: 97 }                 # or body: text
 *     headers: { x-request-id: abc }
 * ```
 *
 * The fakes go through the same capability interfaces as the server's: undeclared secrets are
 * refused, URLs outside `egress:` are refused, state is bounded the same way. A request with no
 * recorded response fails the call (`HttpNotRecordedError`): tests run offline.
 */
export interface RunbookTest {
  /** Path relative to the runbook folder, e.g. `tests/critical.yaml`. */
  readonly file: string;
  readonly name: string;
  readonly event: SandboxEvent | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly env: Environment;
  readonly expect: TestExpectation;
  /** `secrets:` — fake values of ctx.secrets. */
  readonly secrets: Readonly<Record<string, string>>;
  /** `state:` — ctx.state before the run. */
  readonly state: Readonly<Record<string, unknown>>;
  /** `http:` — recorded responses by `METHOD URL`. */
  readonly http: ReadonlyMap<string, RecordedResponse>;
  /** The line of a field of the file (`['expect', 'result']`), for reports. */
  readonly lineOf: (path: readonly (string | number)[]) => number | null;
}

export interface TestExpectation {
  readonly status: 'succeeded' | 'failed' | 'timed_out';
  readonly result?: unknown;
  readonly resultIncludes?: unknown;
  readonly error?: string;
  readonly logs: readonly { readonly level?: LogLevel; readonly message: string }[];
  readonly steps: readonly { readonly name: string; readonly status?: 'succeeded' | 'failed' }[];
  /** The state after the run, exactly. */
  readonly state?: Readonly<Record<string, unknown>>;
  /** Events ctx.emit raised, in order: each includes these labels (and annotations, status). */
  readonly emitted?: readonly { readonly labels: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>>; readonly status?: 'firing' | 'resolved' }[];
}

export interface RecordedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type LoadedTest = { readonly ok: true; readonly test: RunbookTest } | { readonly ok: false; readonly file: string; readonly line: number | null; readonly message: string };

/** Top-level keys kept for capabilities that have no fake yet; a test using them fails clearly. */
export const RESERVED_FIELDS: Readonly<Record<string, string>> = {
  prometheus: 'recorded Prometheus answers are not supported yet; ctx.prometheus is unavailable in tests',
};

const labels = z.record(z.string(), z.string());
const recorded = z.strictObject({
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  json: z.unknown().optional(),
});
const HTTP_KEY = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (https?:\/\/\S+)$/;

const json = z.unknown();
const logExpectation = z.union([z.string().min(1).transform((message) => ({ message })), z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).optional(), message: z.string() })]);
const stepExpectation = z.union([z.string().min(1).transform((name) => ({ name })), z.strictObject({ name: z.string().min(1), status: z.enum(['succeeded', 'failed']).optional() })]);

const testSchema = z.strictObject({
  name: z.string().min(1).optional(),
  event: z.union([z.string().min(1), z.record(z.string(), json), z.null()]).optional(),
  source: z.string().min(1).optional(),
  params: z.record(z.string(), json).optional(),
  env: z.enum(['dev', 'test', 'prod']).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
  state: z.record(z.string(), json).optional(),
  http: z.record(z.string(), recorded).optional(),
  expect: z
    .strictObject({
      status: z.enum(['succeeded', 'failed', 'timed_out']).optional(),
      result: json.optional(),
      resultIncludes: json.optional(),
      error: z.string().optional(),
      logs: z.array(logExpectation).optional(),
      steps: z.array(stepExpectation).optional(),
      state: z.record(z.string(), json).optional(),
      emitted: z.array(z.strictObject({ labels, annotations: labels.optional(), status: z.enum(['firing', 'resolved']).optional() })).optional(),
    })
    .optional(),
});

const FIELDS = Object.keys(testSchema.shape);
const EXPECT_FIELDS = ['status', 'result', 'resultIncludes', 'error', 'logs', 'steps', 'state', 'emitted'];

/**
 * Reads a file a test refers to (an event file), by its folder-relative path, when it is not
 * among the folder's files (e.g. `../shared/x.json` outside the folder on a working copy).
 */
export type ReadOutside = (folderRelativePath: string) => Promise<string>;

/**
 * Validates one test file of a runbook folder (`files`: folder-relative path → content);
 * problems name the file and the line. Event files are looked up in `files`, else read with
 * `readOutside` when given.
 */
export async function loadTest(files: ReadonlyMap<string, string>, file: string, readOutside?: ReadOutside): Promise<LoadedTest> {
  const text = files.get(file);
  if (text === undefined) return { ok: false, file, line: null, message: 'no such test file' };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = (line: number | null, message: string): LoadedTest => ({ ok: false, file, line, message });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    return problem(lineCounter.linePos(firstError.pos[0]).line, `invalid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 50 }) ?? {};
  const lineOf = (path: readonly (string | number)[]) => findFieldLine(text, path);
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const key of Object.keys(raw)) {
      const later = RESERVED_FIELDS[key];
      if (later !== undefined) return problem(lineOf([key]), `${key}: not supported yet (${later})`);
    }
  }
  const parsed = testSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      const inExpect = path[0] === 'expect';
      const key = issue.keys[0] ?? '';
      return problem(lineOf([...path, key]), `unknown field ${inExpect ? 'expect.' : ''}${key}; the fields are ${(inExpect ? EXPECT_FIELDS : FIELDS).join(', ')}`);
    }
    return problem(lineOf(path), `${path.join('.') || 'the file'}: ${issue.message}`);
  }
  const t = parsed.data;

  let event: SandboxEvent | null = null;
  if (t.event !== undefined && t.event !== null) {
    let payload: unknown = t.event;
    if (typeof t.event === 'string') {
      const eventFile = posix.normalize(posix.join(posix.dirname(file), t.event));
      try {
        const content = files.get(eventFile) ?? (readOutside === undefined ? undefined : await readOutside(eventFile));
        if (content === undefined) throw new Error('not in the runbook folder');
        payload = JSON.parse(content) as unknown;
      } catch (error) {
        return problem(lineOf(['event']), `event: cannot read ${eventFile || t.event} as JSON: ${(error as Error).message}`);
      }
    }
    const r = eventFromPayload(payload, t.source ?? null);
    if (!r.ok) return problem(lineOf(['event']), `event: ${r.error}`);
    event = r.event;
  }
  const http = new Map<string, RecordedResponse>();
  for (const [key, r] of Object.entries(t.http ?? {})) {
    const m = HTTP_KEY.exec(key);
    if (m === null) return problem(lineOf(['http', key]), `http: ${JSON.stringify(key)} must be "METHOD URL", e.g. "GET https://api.example.com/v1/status"`);
    if (r.body !== undefined && r.json !== undefined) return problem(lineOf(['http', key]), `http: ${key}: give body or json, not both`);
    let normalized: string;
    try {
      normalized = `${m[1]} ${new URL(m[2] ?? '').toString()}`;
    } catch {
      return problem(lineOf(['http', key]), `http: ${key}: not a valid URL`);
    }
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    if (r.json !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    http.set(normalized, { status: r.status ?? 200, headers, body: r.json !== undefined ? JSON.stringify(r.json) : (r.body ?? '') });
  }
  const e = t.expect ?? {};
  return {
    ok: true,
    test: {
      file,
      name: t.name ?? file.replace(/^tests\//, '').replace(/\.ya?ml$/, ''),
      event,
      params: t.params ?? {},
      env: t.env ?? 'dev',
      expect: {
        status: e.status ?? 'succeeded',
        ...('result' in e ? { result: e.result } : {}),
        ...('resultIncludes' in e ? { resultIncludes: e.resultIncludes } : {}),
        ...(e.error === undefined ? {} : { error: e.error }),
        logs: e.logs ?? [],
        steps: e.steps ?? [],
        ...(e.state === undefined ? {} : { state: e.state }),
        ...(e.emitted === undefined ? {} : { emitted: e.emitted }),
      },
      secrets: t.secrets ?? {},
      state: t.state ?? {},
      http,
      lineOf,
    },
  };
}

/** The test files of a runbook folder: `tests/*.yaml` / `tests/*.yml`, sorted. */
export function testFiles(files: Iterable<string>): string[] {
  return [...files].filter((f) => /^tests\/[^/]+\.ya?ml$/.test(f)).sort();
}
