// End to end on the real server (HTTP → sqlite → git-loaded runbook → isolated-vm):
// (a) latency from the webhook being received to the runbook's first statement,
// (b) sustained executions per second of a trivial runbook, every step durably stored.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../apps/server/src/config';
import { createLogger } from '../apps/server/src/logging';
import { startServer } from '../apps/server/src/server';
import { type BenchResult, percentile as pct } from './lib';



const body = (i: number) =>
  JSON.stringify({
    version: '4', groupKey: '{}:{alertname="BenchProbe"}', status: 'firing', receiver: 'wolfe', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am',
    alerts: [{ status: 'firing', labels: { alertname: 'BenchProbe', instance: `host-${i}` }, annotations: {}, startsAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '' }],
  });

export async function run(): Promise<BenchResult[]> {
  const seed = await mkdtemp(join(tmpdir(), 'wolfe-bench-seed-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'wolfe-bench-data-'));
  await mkdir(join(seed, 'probe'));
  await writeFile(join(seed, 'probe', 'runbook.yaml'), "name: probe\ndescription: bench\nowner: bench\ntriggers:\n  - match: 'alertname=\"BenchProbe\"'\ntimeout: 5s\nmemory: 16\n");
  await writeFile(join(seed, 'probe', 'index.ts'), "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => { ctx.log.info('first'); return 1; });\n");
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WOLFE_DATA_DIR: dataDir, WOLFE_SEED_DIR: seed, LOG_LEVEL: 'warn', WOLFE_REFRESH_MS: '0' });
  const server = await startServer(config, createLogger('warn'));
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const store = server.wolfe.store;
  const post = async (i: number): Promise<string> => {
    const res = await fetch(`${server.url}/api/v1/events/alertmanager`, { method: 'POST', headers, body: body(i) });
    if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { eventIds: string[] }).eventIds[0] as string;
  };
  const waitDone = async (eventId: string): Promise<string> => {
    for (;;) {
      const ev = await store.events.get(eventId);
      const exId = ev?.executionIds[0];
      if (exId) {
        const ex = await store.executions.get(exId);
        if (ex && ex.status !== 'queued' && ex.status !== 'running') {
          if (ex.status !== 'succeeded') throw new Error(`execution ${exId} ${ex.status}`);
          return exId;
        }
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  };

  const results: BenchResult[] = [];
  try {
    let i = 0;
    for (; i < 30; i++) await waitDone(await post(i)); // warm-up
    const lat: number[] = [];
    for (let n = 0; n < 300; n++, i++) {
      const eventId = await post(i);
      const exId = await waitDone(eventId);
      const ev = await store.events.get(eventId);
      const [first] = await store.logs.list(exId, undefined, 1);
      if (!ev || !first) throw new Error('missing event or log');
      lat.push(Date.parse(first.ts) - Date.parse(ev.receivedAt));
    }
    results.push(
      { name: 'e2e webhook → first statement', metric: 'p50', value: pct(lat, 50), unit: 'ms (1 ms resolution)' },
      { name: 'e2e webhook → first statement', metric: 'p99', value: pct(lat, 99), unit: 'ms (1 ms resolution)' },
    );

    const N = 2000;
    const concurrency = 32;
    const started = performance.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < N) {
          const k = next++;
          ids.push(await post(i + k));
        }
      }),
    );
    i += N;
    const accepted = performance.now();
    for (const id of ids) await waitDone(id);
    const seconds = (performance.now() - started) / 1000;
    results.push(
      { name: 'e2e sustained (trivial runbook, durable sqlite)', metric: 'executions/s', value: N / seconds, unit: '1/s' },
      { name: 'e2e sustained: intake while executing', metric: 'deliveries/s', value: N / ((accepted - started) / 1000), unit: '1/s' },
    );
  } finally {
    await server.close();
    await rm(seed, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
  return results;
}
