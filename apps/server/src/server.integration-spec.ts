import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto, RunbookCatalogDto } from '@wolfe/api-types';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const firing = readFileSync(resolve(__dirname, '../../../runbooks/disk-cleanup/fixtures/alertmanager-firing.json'), 'utf8');

const post = (s: TestServer, path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  api(s, path, { method: 'POST', body, headers });

async function waitForExecution(s: TestServer, id: string): Promise<ExecutionDetailDto> {
  return eventually(async () => {
    const d = (await (await api(s, `/api/v1/executions/${id}`)).json()) as ExecutionDetailDto;
    return d.status === 'queued' || d.status === 'running' ? undefined : d;
  });
}

describe('Wolfe server, end to end (real sqlite, git, isolated-vm)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('answers /healthz without auth once runbooks are loaded', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { environments: Record<string, string> };
    expect(Object.keys(body.environments).sort()).toEqual(['dev', 'prod', 'test']);
    expect(body.environments['prod']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('writes the admin token with mode 0600', () => {
    const st = statSync(join(s.dataDir, 'admin-token'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(join(s.dataDir, 'admin-token'), 'utf8').trim()).toBe(s.token);
  });

  it('refuses /api without a valid bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${s.token}` }]) {
      const res = await fetch(`${s.url}/api/v1/executions`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { message: string };
      expect(body.message).not.toContain(s.token);
    }
    const intake = await fetch(`${s.url}/api/v1/events/alertmanager`, { method: 'POST', body: firing, headers: { 'content-type': 'application/json' } });
    expect(intake.status).toBe(401);
  });

  it('accepts the intake token for sending events only', async () => {
    expect(s.intakeToken).not.toBe(s.token);
    expect(statSync(join(s.dataDir, 'intake-token')).mode & 0o777).toBe(0o600);
    const other = firing.replace(/DiskAlmostFull/g, 'IntakeTokenProbe');
    const sent = await fetch(`${s.url}/api/v1/events/alertmanager`, { method: 'POST', body: other, headers: { 'content-type': 'application/json', authorization: `Bearer ${s.intakeToken}` } });
    expect(sent.status).toBe(202);
    const basic = Buffer.from(`alertmanager:${s.intakeToken}`).toString('base64');
    const viaBasic = await fetch(`${s.url}/api/v1/events/alertmanager`, { method: 'POST', body: other, headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` } });
    expect(viaBasic.status).toBe(202);
    const read = await fetch(`${s.url}/api/v1/executions`, { headers: { authorization: `Bearer ${s.intakeToken}` } });
    expect(read.status).toBe(401);
    expect(((await read.json()) as { message: string }).message).toContain('intake token can only send events');
  });

  it('runs the matching runbook for an Alertmanager alert and keeps its logs', async () => {
    const res = await post(s, '/api/v1/events/alertmanager', firing);
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { eventIds: string[]; env: string; deliveryId: string };
    expect(accepted.env).toBe('prod');
    expect(accepted.eventIds).toHaveLength(1);

    const exId = await eventually(async () => {
      const page = (await (await api(s, '/api/v1/executions?runbook=disk-cleanup')).json()) as PageDto<ExecutionSummaryDto>;
      return page.items.find((e) => e.eventId === accepted.eventIds[0])?.id;
    });
    const detail = await waitForExecution(s, exId);
    expect(detail).toMatchObject({ runbook: 'disk-cleanup', env: 'prod', status: 'succeeded', error: null });
    expect(detail.version).toMatch(/^[0-9a-f]{40}$/);
    expect(detail.startedAt && detail.finishedAt).toBeTruthy();
    expect(detail.result).toEqual({ instance: 'db-1:9100', mountpoint: '/var', plan: ['rotated-logs'] });
    expect(detail.event?.labels).toMatchObject({ alertname: 'DiskAlmostFull', instance: 'db-1:9100' });
    expect(detail.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'disk almost full'],
      ['info', 'cleanup plan'],
    ]);
    expect(detail.logs[0]?.fields).toEqual({ instance: 'db-1:9100', mountpoint: '/var', severity: 'warning' });
  });

  it('does not run the remediation again when Alertmanager re-sends the same episode', async () => {
    const again = await post(s, '/api/v1/events/alertmanager', firing);
    expect(again.status).toBe(202);
    const { eventIds } = (await again.json()) as { eventIds: string[] };
    const ev = await eventually(async () => {
      const e = (await (await api(s, `/api/v1/events/${eventIds[0]}`)).json()) as { decision: string | null; explanation: { runbook: string; reason: string; duplicateOf?: string }[] };
      return e.decision ? e : undefined;
    });
    expect(ev.decision).toBe('deduplicated');
    expect(ev.explanation.find((c) => c.runbook === 'disk-cleanup')?.duplicateOf).toBeDefined();
    const page = (await (await api(s, '/api/v1/executions?runbook=disk-cleanup&env=prod')).json()) as PageDto<ExecutionSummaryDto>;
    expect(page.items).toHaveLength(1);
  });

  it('routes ?env=dev to the dev branch and explains unmatched events', async () => {
    const other = firing.replace(/DiskAlmostFull/g, 'SomethingElse');
    const res = await post(s, '/api/v1/events/alertmanager?env=dev', other);
    expect(res.status).toBe(202);
    const { eventIds, env } = (await res.json()) as { eventIds: string[]; env: string };
    expect(env).toBe('dev');
    const ev = await eventually(async () => {
      const e = (await (await api(s, `/api/v1/events/${eventIds[0]}`)).json()) as { env: string; decision: string | null; explanation: { runbook: string; matched: boolean; reason: string }[] };
      return e.decision ? e : undefined;
    });
    expect(ev).toMatchObject({ env: 'dev', decision: 'unmatched' });
    expect(ev.explanation.find((c) => c.runbook === 'disk-cleanup')?.reason).toContain('alertname');
    expect((await post(s, '/api/v1/events/alertmanager?env=staging', firing)).status).toBe(400);
  });

  it('rejects a malformed body with 400 and a reason, and keeps the raw body', async () => {
    const broken = '{"version":"4","alerts":[{"labels":"oops"}]';
    const res = await post(s, '/api/v1/events/alertmanager', broken);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; deliveryId: string };
    expect(body.message).toMatch(/JSON/);
    const kept = (await (await api(s, `/api/v1/deliveries/${body.deliveryId}`)).json()) as { body: string; outcome: string; error: string };
    expect(kept).toMatchObject({ body: broken, outcome: 'rejected' });

    const invalid = JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: 'oops' }] });
    const res2 = await post(s, '/api/v1/events/alertmanager', invalid);
    expect(res2.status).toBe(400);
    expect(((await res2.json()) as { message: string }).message).toContain('alerts[0].labels');

    expect((await post(s, '/api/v1/events/alertmanager', firing, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post(s, '/api/v1/events/nosuchsource', firing)).status).toBe(404);
  });

  it('validates list filters with a message naming the parameter', async () => {
    const res = await api(s, '/api/v1/executions?status=done');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('status="done"');
    expect((await api(s, '/api/v1/executions/not-an-id')).status).toBe(404);
  });

  it('lists the runbooks of an environment with their version', async () => {
    const cat = (await (await api(s, '/api/v1/runbooks?env=test')).json()) as RunbookCatalogDto;
    expect(cat.items.map((r) => r.name).sort()).toEqual(['disk-cleanup', 'error-budget-note']);
    expect(cat.problems).toEqual([]);
  });
});
