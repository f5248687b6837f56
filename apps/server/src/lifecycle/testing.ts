import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { api, eventually, type TestServer } from '../testing/test-server';

/** Helpers of the lifecycle specs and the deploy bench (test code only). */

export const manifest = (name: string, alertname: string, extra = ''): string =>
  `name: ${name}\ndescription: ${name} for tests\nowner: team-tests\ntriggers:\n  - match: 'alertname="${alertname}"'\n    status: any\ntimeout: 5s\nmemory: 32\n${extra}`;

/** index.ts returning `{ variant, env, version }` plus `extra` statements before the return. */
export const code = (variant: string, extra = ''): string =>
  `import { runbook } from '@wolfe/sdk';\n\nexport default runbook(async (ctx) => {\n  ctx.log.info('running', { variant: '${variant}' });\n${extra}  return { variant: '${variant}', env: ctx.env, version: ctx.runbook.version };\n});\n`;

export async function seedFolder(runbooks: Record<string, Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wolfe-lifecycle-seed-'));
  for (const [name, files] of Object.entries(runbooks)) {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name, file)), { recursive: true });
      await writeFile(join(dir, name, file), content);
    }
  }
  return dir;
}

export const alert = (alertname: string, labels: Record<string, string> = {}, startsAt = new Date().toISOString()): string =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    status: 'firing',
    receiver: 'wolfe',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: [{ status: 'firing', labels: { alertname, ...labels }, annotations: {}, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'x' }],
  });

export interface JsonResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export async function call<T = Record<string, unknown>>(s: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await api(s, path, init);
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: res.headers };
}

/** Sends an Alertmanager alert and returns its event id. */
export async function sendAlert(s: TestServer, env: string, alertname: string, labels: Record<string, string> = {}): Promise<string> {
  const res = await api(s, `/api/v1/events/alertmanager?env=${env}`, { method: 'POST', body: alert(alertname, labels), headers: { 'content-type': 'application/json' } });
  if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  const { eventIds } = (await res.json()) as { eventIds: string[] };
  return eventIds[0] as string;
}

/** The finished execution started for an event. */
export async function executionFor(s: TestServer, eventId: string, timeoutMs = 15_000): Promise<ExecutionDetailDto> {
  return eventually(
    async () => {
      const page = (await (await api(s, '/api/v1/executions?limit=100')).json()) as PageDto<ExecutionSummaryDto>;
      const ex = page.items.find((e) => e.eventId === eventId);
      if (!ex || ex.status === 'queued' || ex.status === 'running') return undefined;
      return (await (await api(s, `/api/v1/executions/${ex.id}`)).json()) as ExecutionDetailDto;
    },
    { timeoutMs, intervalMs: 20 },
  );
}

export async function finished(s: TestServer, id: string, timeoutMs = 15_000): Promise<ExecutionDetailDto> {
  return eventually(
    async () => {
      const d = (await (await api(s, `/api/v1/executions/${id}`)).json()) as ExecutionDetailDto;
      return d.status === 'queued' || d.status === 'running' ? undefined : d;
    },
    { timeoutMs, intervalMs: 20 },
  );
}

/** Plain git on a bare repository, as someone outside Wolfe would use it (no ambient GIT_*, no user config). */
export function gitIn(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', args, {
    cwd,
    env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Mallory Pusher', GIT_AUTHOR_EMAIL: 'mallory@example.com', GIT_COMMITTER_NAME: 'Mallory Pusher', GIT_COMMITTER_EMAIL: 'mallory@example.com' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}
