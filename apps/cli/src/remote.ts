// The lifecycle operations of the HTTP API, from the command line: the same calls the
// Studio makes (projects, runbooks, history, diff, edits, promotions, rollbacks, manual
// runs, sending events). Server and token: --url / WOLFE_URL (default
// http://localhost:8080) and --token / WOLFE_TOKEN, else the file --token-file /
// WOLFE_TOKEN_FILE (default .wolfe/admin-token).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UsageError } from './folder';

export interface RemoteOptions {
  readonly url?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

export interface Printer {
  out(line: string): void;
  err(line: string): void;
}

export class ApiClient {
  private constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  static async create(o: RemoteOptions, env: NodeJS.ProcessEnv = process.env): Promise<ApiClient> {
    const base = (o.url ?? env['WOLFE_URL'] ?? 'http://localhost:8080').replace(/\/+$/, '');
    let token = o.token ?? env['WOLFE_TOKEN'];
    if (!token) {
      const file = o.tokenFile ?? env['WOLFE_TOKEN_FILE'] ?? '.wolfe/admin-token';
      try {
        token = (await readFile(file, 'utf8')).trim();
      } catch {
        throw new UsageError(`no token: pass --token, set WOLFE_TOKEN, or point --token-file at the admin token (tried ${file})`);
      }
    }
    return new ApiClient(base, token);
  }

  /** Calls the API; a non-2xx answer becomes an error carrying the server's message. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiError(0, `cannot reach ${this.base}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok) {
      const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String((parsed as { message: unknown }).message) : text;
      throw new ApiError(res.status, message, parsed);
    }
    return parsed as T;
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = null,
  ) {
    super(status ? `${status}: ${message}` : message);
  }
}

const q = (params: Record<string, string | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
};
const seg = encodeURIComponent;

/** A runbook folder as the PUT body wants it: manifest, code files, tests. */
export async function readRunbookFolder(dir: string): Promise<{ manifest: string; code: Record<string, string>; tests: Record<string, string> }> {
  const code: Record<string, string> = {};
  const tests: Record<string, string> = {};
  let manifest: string | null = null;
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const rel = relative(dir, full).split(sep).join('/');
      const text = await readFile(full, 'utf8');
      if (rel === 'runbook.yaml') manifest = text;
      else if (rel.startsWith('tests/')) tests[rel] = text;
      else code[rel] = text;
    }
  };
  try {
    await walk(dir);
  } catch (err) {
    throw new UsageError(`cannot read the runbook folder ${dir}: ${(err as Error).message}`);
  }
  if (manifest === null) throw new UsageError(`${dir} has no runbook.yaml`);
  return { manifest, code, tests };
}

/** Every remote command: what it calls, and how its answer is printed. */
export const remote = {
  projects: (api: ApiClient) => api.call<unknown>('GET', '/api/v1/projects'),
  createProject: (api: ApiClient, name: string, o: { remote?: string; tokenEnv?: string }) =>
    api.call<unknown>('POST', '/api/v1/projects', { name, ...(o.remote ? { remote: { url: o.remote, ...(o.tokenEnv ? { tokenEnv: o.tokenEnv } : {}) } } : {}) }),
  sync: (api: ApiClient, project: string) => api.call<unknown>('POST', `/api/v1/projects/${seg(project)}/sync`),
  runbooks: (api: ApiClient, project: string, env: string) => api.call<unknown>('GET', `/api/v1/projects/${seg(project)}/runbooks${q({ env })}`),
  show: (api: ApiClient, project: string, name: string, o: { env?: string; version?: string }) =>
    api.call<unknown>('GET', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}${q(o.version ? { version: o.version } : { env: o.env ?? 'dev' })}`),
  history: (api: ApiClient, project: string, name: string, env: string) => api.call<unknown>('GET', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/history${q({ env })}`),
  diff: (api: ApiClient, project: string, name: string, from: string, to: string) =>
    api.call<unknown>('GET', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/diff${q({ from, to })}`),
  push: async (api: ApiClient, project: string, name: string, dir: string, o: { message: string; base?: string }) =>
    api.call<unknown>('PUT', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}`, { ...(await readRunbookFolder(dir)), message: o.message, ...(o.base ? { baseVersion: o.base } : {}) }),
  remove: (api: ApiClient, project: string, name: string, o: { message?: string; base?: string }) =>
    api.call<unknown>('DELETE', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}`, { ...(o.message ? { message: o.message } : {}), ...(o.base ? { baseVersion: o.base } : {}) }),
  promote: (api: ApiClient, project: string, name: string, o: { from: string; to: string; reason?: string; override?: string }) =>
    api.call<unknown>('POST', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/promotions`, {
      from: o.from,
      to: o.to,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.override ? { override: { reason: o.override } } : {}),
    }),
  rollback: (api: ApiClient, project: string, name: string, o: { env: string; version: string; reason: string }) =>
    api.call<unknown>('POST', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/rollbacks`, o),
  trigger: async (api: ApiClient, project: string, name: string, o: { event?: string; eventId?: string }) => {
    if (o.eventId) return api.call<unknown>('POST', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/runs`, { eventId: o.eventId });
    if (!o.event) throw new UsageError('give --event <file.json> ({ labels, annotations?, status? }) or --event-id <id>');
    return api.call<unknown>('POST', `/api/v1/projects/${seg(project)}/runbooks/${seg(name)}/runs`, { event: JSON.parse(await readFile(o.event, 'utf8')) as unknown });
  },
  send: async (api: ApiClient, source: string, file: string, env?: string) =>
    api.call<unknown>('POST', `/api/v1/events/${seg(source)}${q({ env })}`, await readFile(file, 'utf8')),
  executions: (api: ApiClient, o: { project?: string; runbook?: string; status?: string; env?: string; limit?: string }) => api.call<unknown>('GET', `/api/v1/executions${q(o)}`),
  execution: (api: ApiClient, id: string) => api.call<unknown>('GET', `/api/v1/executions/${seg(id)}`),
};
