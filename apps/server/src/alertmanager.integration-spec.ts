// Debian's real Alertmanager (installed by scripts/ensure-system-deps.sh) sends its
// webhook to a real Wolfe: the runbook must run once although Alertmanager re-sends
// the firing group every repeat_interval, and the resolve must arrive and run its own.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const AM = '/usr/bin/prometheus-alertmanager';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

describe('with the real Prometheus Alertmanager', () => {
  let work: string;
  let wolfe: TestServer;
  let am: ChildProcess | undefined;
  let amUrl: string;
  let amLog = '';

  beforeAll(async () => {
    if (!existsSync(AM)) throw new Error(`${AM} is missing: run scripts/ensure-system-deps.sh (apt-get install prometheus-alertmanager)`);
    work = await mkdtemp(join(tmpdir(), 'wolfe-am-'));
    const seed = join(work, 'runbooks');
    for (const [name, status] of [['on-fire', 'firing'], ['on-resolve', 'resolved']] as const) {
      await mkdir(join(seed, name), { recursive: true });
      await writeFile(join(seed, name, 'runbook.yaml'), `name: ${name}\ndescription: am test\nowner: tests\ntriggers:\n  - match: '{alertname="WolfeAMTest"}'\n    status: ${status}\n`);
      await writeFile(join(seed, name, 'index.ts'), `import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => { ctx.log.info('${name}', { status: ctx.event.status }); return ctx.event.labels.instance; });\n`);
    }
    wolfe = await startTestServer({ env: { WOLFE_SEED_DIR: seed } });

    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      join(work, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: wolfe',
        '  group_by: [alertname]',
        '  group_wait: 200ms',
        '  group_interval: 1s',
        '  repeat_interval: 2s',
        'receivers:',
        '  - name: wolfe',
        '    webhook_configs:',
        `      - url: ${wolfe.url}/api/v1/events/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        `            credentials: ${wolfe.intakeToken}`, // the send-only token, as users should
        '',
      ].join('\n'),
    );
    am = spawn(AM, [`--config.file=${join(work, 'alertmanager.yml')}`, `--storage.path=${join(work, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stdout?.on('data', (d: Buffer) => (amLog += d.toString()));
    am.stderr?.on('data', (d: Buffer) => (amLog += d.toString()));
    await eventually(async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined), { timeoutMs: 15_000 });
  }, 30_000);

  afterAll(async () => {
    am?.kill('SIGTERM');
    await wolfe?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const pushAlert = async (endsAt?: string) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'WolfeAMTest', instance: 'web-1', severity: 'critical' }, annotations: { summary: 'test' }, startsAt, ...(endsAt ? { endsAt } : {}) }]),
    });
    if (!res.ok) throw new Error(`alertmanager answered ${res.status}: ${await res.text()}`);
  };
  const startsAt = new Date(Date.now() - 60_000).toISOString();

  const events = async (): Promise<EventDto[]> => ((await (await api(wolfe, '/api/v1/events?limit=500')).json()) as PageDto<EventDto>).items;
  const executions = async (runbook: string): Promise<ExecutionSummaryDto[]> =>
    ((await (await api(wolfe, `/api/v1/executions?runbook=${runbook}`)).json()) as PageDto<ExecutionSummaryDto>).items;

  it('runs the runbook once while Alertmanager re-sends, then handles the resolve', async () => {
    await pushAlert();
    // Wait until Alertmanager has delivered the same firing episode at least 3 times.
    const firing = await eventually(
      async () => {
        const fs = (await events()).filter((e) => e.status === 'firing' && e.labels['alertname'] === 'WolfeAMTest');
        return fs.length >= 3 && fs.every((e) => e.decision !== null) ? fs : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nalertmanager log:\n${amLog}`);
    });
    expect(new Set(firing.map((e) => e.fingerprint)).size).toBe(1);
    expect(firing.filter((e) => e.decision === 'matched')).toHaveLength(1);
    expect(firing.filter((e) => e.decision === 'deduplicated').length).toBeGreaterThanOrEqual(2);
    const fired = await eventually(async () => {
      const xs = await executions('on-fire');
      return xs.length === 1 && xs[0]?.status === 'succeeded' ? xs : undefined;
    });
    expect(fired).toHaveLength(1);

    // Resolve it: Alertmanager sends the resolved notification (send_resolved).
    await pushAlert(new Date().toISOString());
    const resolved = await eventually(
      async () => {
        const xs = await executions('on-resolve');
        return xs.length >= 1 && xs.every((x) => x.status === 'succeeded') ? xs : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(resolved).toHaveLength(1);
    // The firing remediation still ran exactly once.
    expect(await executions('on-fire')).toHaveLength(1);
    const resolveEvents = (await events()).filter((e) => e.status === 'resolved');
    expect(resolveEvents.length).toBeGreaterThanOrEqual(1);
    expect(resolveEvents[0]?.endsAt).not.toBeNull();
  }, 60_000);
});
