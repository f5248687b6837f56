// Deployment latency on the real server (git → catalog → isolated-vm):
// (a) from the promotion API's answer to the first execution that runs the promoted version
//     (target < 1 s on one node: the promotion refreshes the catalog in-process before answering);
// (b) the promotion call itself (gates: manifest, compile, typecheck, tests, replay; commit; load);
// (c) a commit that reaches the branch without the API (GitOps) → first execution of it:
//     bounded by the catalog's poll interval (WOLFE_REFRESH_MS, default 1000 ms).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../apps/server/src/config';
import { createLogger } from '../apps/server/src/logging';
import { startServer } from '../apps/server/src/server';
import { RunbookRepository } from '../libs/git/src/index';
import { type BenchResult, percentile as pct } from './lib';


const ROUNDS = 10;
const manifest = "name: probe\ndescription: deploy bench\nowner: bench\ntriggers:\n  - match: 'alertname=\"DeployProbe\"'\n    status: any\ntimeout: 5s\nmemory: 16\n";
const code = (variant: string): string => `import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => ({ variant: '${variant}', version: ctx.runbook.version }));\n`;

export async function run(): Promise<BenchResult[]> {
  const seed = await mkdtemp(join(tmpdir(), 'wolfe-bench-seed-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'wolfe-bench-data-'));
  await mkdir(join(seed, 'probe'));
  await writeFile(join(seed, 'probe', 'runbook.yaml'), manifest);
  await writeFile(join(seed, 'probe', 'index.ts'), code('v0'));
  const refreshMs = 1000;
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WOLFE_DATA_DIR: dataDir, WOLFE_SEED_DIR: seed, LOG_LEVEL: 'warn', WOLFE_REFRESH_MS: String(refreshMs) });
  const server = await startServer(config, createLogger('warn'));
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const store = server.wolfe.store;
  const P = `${server.url}/api/v1/projects/default/runbooks/probe`;
  let alerts = 0;

  const json = async (method: string, url: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const out = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(out)}`);
    return out;
  };
  const alert = async (env: string): Promise<string> => {
    const n = alerts++;
    const body = JSON.stringify({
      version: '4', groupKey: '{}:{alertname="DeployProbe"}', status: 'firing', receiver: 'wolfe', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
      alerts: [{ status: 'firing', labels: { alertname: 'DeployProbe', n: String(n) }, annotations: {}, startsAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '' }],
    });
    const res = await fetch(`${server.url}/api/v1/events/alertmanager?env=${env}`, { method: 'POST', headers, body });
    if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
    return ((await res.json()) as { eventIds: string[] }).eventIds[0] as string;
  };
  /** The finished execution of an event: its result's variant and when it started. */
  const outcome = async (eventId: string): Promise<{ variant: string; startedAt: number }> => {
    for (;;) {
      const ev = await store.events.get(eventId);
      const exId = ev?.executionIds[0];
      const ex = exId ? await store.executions.get(exId) : null;
      if (ex && ex.status !== 'queued' && ex.status !== 'running') {
        if (ex.status !== 'succeeded') throw new Error(`execution ${ex.id} ${ex.status}`);
        return { variant: (ex.result as { variant: string }).variant, startedAt: Date.parse(ex.startedAt ?? '') };
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  /** Sends alerts to `env` until one runs `variant`; ms from `since` to that execution's start. */
  const firstRunOf = async (env: string, variant: string, since: number, timeoutMs: number): Promise<number> => {
    for (;;) {
      const got = await outcome(await alert(env));
      if (got.variant === variant) return got.startedAt - since;
      if (Date.now() - since > timeoutMs) throw new Error(`${env} did not run ${variant} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const results: BenchResult[] = [];
  try {
    // Warm-up: the compiler services, the type checker's library, the sandbox pool.
    await outcome(await alert('dev'));
    await outcome(await alert('test'));

    const live: number[] = [];
    const promotion: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const variant = `v${i}`;
      const current = (await json('GET', `${P}?env=dev`)) as { version: string };
      await json('PUT', P, { manifest, code: code(variant), message: `bench ${variant}`, baseVersion: current.version });
      const t0 = Date.now();
      const answer = (await json('POST', `${P}/promotions`, { from: 'dev', to: 'test', reason: 'bench' })) as { live: boolean };
      const answeredAt = Date.now();
      if (!answer.live) throw new Error('promotion answered before the catalog served it');
      promotion.push(answeredAt - t0);
      live.push(await firstRunOf('test', variant, answeredAt, 5000));
    }
    const p = (name: string, xs: number[], target?: number): BenchResult[] => [
      { name, metric: 'p50', value: pct(xs, 50), unit: 'ms' },
      { name, metric: 'max', value: Math.max(...xs), unit: 'ms', ...(target !== undefined ? { target: `< ${target} ms`, ok: Math.max(...xs) < target } : {}) },
    ];
    results.push(...p('deploy: promotion answer → first execution of the new version', live, 1000));
    results.push(...p('deploy: promotion call (5 gates, commit, catalog load)', promotion));

    // GitOps: a commit straight into the bare repository (another writer, not the API).
    const repo = await RunbookRepository.open({ path: join(dataDir, 'repos', 'default.git'), branches: ['dev', 'test', 'prod'] });
    const direct: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const variant = `direct-${i}`;
      await repo.commitFiles('prod', [{ path: 'probe/index.ts', content: code(variant) }], { message: `direct ${variant}`, author: { name: 'Bench', email: 'bench@localhost' } });
      direct.push(await firstRunOf('prod', variant, Date.now(), 5000));
    }
    results.push(...p(`deploy: direct commit (GitOps, poll ${refreshMs} ms) → first execution`, direct, refreshMs + 1000));
  } finally {
    await server.close();
    await rm(seed, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}
