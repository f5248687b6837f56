// Signed webhook sources through the real server: the signature replaces the admin token on
// their intake route; a missing or wrong one is a 401 with the reason, kept as a rejected
// delivery. Secrets come from the environment through ${VAR} references in WOLFE_CONFIG.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ApiErrorDto, EventDto } from '@wolfe/api-types';
import type { DeliveryRecord } from '@wolfe/application';
import { signGrafana, signPagerDuty } from './intake/signatures';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const fixture = (p: string) => readFileSync(resolve(__dirname, '../../../libs/sources/fixtures', p), 'utf8');
const grafanaBody = fixture('grafana/firing.json');
const pagerdutyBody = fixture('pagerduty/incident-triggered.json');
const datadogBody = fixture('datadog/recommended-triggered.json');
const alertmanagerBody = fixture('alertmanager/firing-group.json');
const snsConfirmation = fixture('cloudwatch/sns-subscription-confirmation.json');

const GRAFANA = 'grafana-secret-0123456789abcdef';
const PD = 'pagerduty-secret-0123456789abcdef';
const PD_OLD = 'pagerduty-old-secret-0123456789abcdef';
const DD = 'datadog-secret-0123456789abcdef';
const SECRETS = [GRAFANA, PD, PD_OLD, DD];

describe('signed intake sources (real server, WOLFE_CONFIG)', () => {
  let s: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wolfe-signed-'));
    const seed = join(dir, 'runbooks');
    await mkdir(join(seed, 'probe'), { recursive: true });
    await writeFile(
      join(seed, 'probe', 'runbook.yaml'),
      [
        'name: probe',
        'description: matches one alert of each signed source',
        'owner: team-sre',
        'triggers:',
        "  - match: 'alertname=\"High memory usage\"'",
        '    source: grafana',
        "  - match: 'alertname=\"PagerDutyIncident\"'",
        '    source: pagerduty',
        "  - match: 'alertname=\"Checkout p99 latency\"'",
        '    source: datadog',
        'timeout: 5s',
        'memory: 16',
        '',
      ].join('\n'),
    );
    await writeFile(join(seed, 'probe', 'index.ts'), "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => ctx.event.source);\n");
    const config = join(dir, 'wolfe.yaml');
    await writeFile(
      config,
      [
        'sources:',
        '  grafana:   { secret: ${GRAFANA_WEBHOOK_SECRET}, maxSkew: 5m }',
        '  pagerduty: { secrets: [${PD_SECRET}, ${PD_SECRET_OLD}] }',
        '  datadog:   { header: X-Wolfe-Secret, secret: ${DD_SECRET} }',
        '',
      ].join('\n'),
    );
    s = await startTestServer({
      env: { WOLFE_CONFIG: config, WOLFE_SEED_DIR: seed, WOLFE_REFRESH_MS: '0', GRAFANA_WEBHOOK_SECRET: GRAFANA, PD_SECRET: PD, PD_SECRET_OLD: PD_OLD, DD_SECRET: DD },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** POST without the admin token (as the webhook senders do). */
  const post = (source: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/api/v1/events/${source}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  async function expectAcceptedAndMatched(res: Response, source: string): Promise<void> {
    expect(res.status).toBe(202);
    const { eventIds } = (await res.json()) as { eventIds: string[] };
    expect(eventIds.length).toBeGreaterThan(0);
    const decisions = await eventually(async () => {
      const evs = await Promise.all(eventIds.map(async (id) => (await (await api(s, `/api/v1/events/${id}`)).json()) as EventDto));
      return evs.every((e) => e.decision) ? evs : undefined;
    });
    expect(decisions.every((e) => e.source === source)).toBe(true);
    expect(decisions.some((e) => e.decision === 'matched' || e.decision === 'deduplicated')).toBe(true);
  }

  async function expectRejected(res: Response, reason: RegExp, body: string): Promise<DeliveryRecord> {
    expect(res.status).toBe(401);
    const err = (await res.json()) as ApiErrorDto;
    expect(err).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(err.message).toMatch(reason);
    expect(err.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    const d = (await (await api(s, `/api/v1/deliveries/${err.deliveryId as string}`)).json()) as DeliveryRecord;
    expect(d).toMatchObject({ outcome: 'rejected', body, eventIds: [] });
    expect(d.error).toMatch(reason);
    for (const secret of SECRETS) {
      expect(JSON.stringify(err)).not.toContain(secret);
      expect(JSON.stringify(d)).not.toContain(secret);
    }
    return d;
  }

  describe('Grafana', () => {
    it('accepts a valid HMAC with a fresh timestamp, and the runbook matches', async () => {
      const ts = Math.floor(Date.now() / 1000);
      await expectAcceptedAndMatched(
        await post('grafana', grafanaBody, { 'X-Grafana-Alerting-Signature': signGrafana(GRAFANA, grafanaBody, ts), 'X-Grafana-Alerting-Timestamp': String(ts) }),
        'grafana',
      );
    });

    it('accepts a valid HMAC without a timestamp header', async () => {
      expect((await post('grafana', grafanaBody, { 'X-Grafana-Alerting-Signature': signGrafana(GRAFANA, grafanaBody) })).status).toBe(202);
    });

    it('answers 401 with the reason for a missing or wrong signature, and keeps the delivery', async () => {
      await expectRejected(await post('grafana', grafanaBody), /^missing X-Grafana-Alerting-Signature header/, grafanaBody);
      const d = await expectRejected(
        await post('grafana', grafanaBody, { 'X-Grafana-Alerting-Signature': signGrafana('not-the-secret-0123456789', grafanaBody) }),
        /^X-Grafana-Alerting-Signature does not match the configured secret/,
        grafanaBody,
      );
      expect(d.source).toBe('grafana');
    });

    it('refuses a correctly signed delivery whose timestamp is too old (replay)', async () => {
      const old = Math.floor(Date.now() / 1000) - 600;
      await expectRejected(
        await post('grafana', grafanaBody, { 'X-Grafana-Alerting-Signature': signGrafana(GRAFANA, grafanaBody, old), 'X-Grafana-Alerting-Timestamp': String(old) }),
        /^X-Grafana-Alerting-Timestamp is 60\d s old; older than 300 s \(sources\.grafana\.maxSkew\) is refused as a possible replay/,
        grafanaBody,
      );
    });
  });

  describe('PagerDuty', () => {
    it('accepts during a rotation: two v1= values, one made with a secret we hold', async () => {
      const header = signPagerDuty(['a-secret-pagerduty-moved-to-0123', PD_OLD], pagerdutyBody);
      expect(header.split(',')).toHaveLength(2);
      await expectAcceptedAndMatched(await post('pagerduty', pagerdutyBody, { 'X-PagerDuty-Signature': header }), 'pagerduty');
      expect((await post('pagerduty', pagerdutyBody, { 'X-PagerDuty-Signature': signPagerDuty([PD], pagerdutyBody) })).status).toBe(202);
    });

    it('answers 401 when no v1= value matches, or the header is missing', async () => {
      await expectRejected(
        await post('pagerduty', pagerdutyBody, { 'X-PagerDuty-Signature': signPagerDuty(['another-secret-0123456789'], pagerdutyBody) }),
        /^X-PagerDuty-Signature does not match any configured secret$/,
        pagerdutyBody,
      );
      await expectRejected(await post('pagerduty', pagerdutyBody), /^missing X-PagerDuty-Signature header/, pagerdutyBody);
    });

    it('requires the signature even from an admin-token holder (the signature replaces the token)', async () => {
      const res = await api(s, '/api/v1/events/pagerduty', { method: 'POST', body: pagerdutyBody, headers: { 'content-type': 'application/json' } });
      await expectRejected(res, /^missing X-PagerDuty-Signature header/, pagerdutyBody);
    });
  });

  describe('Datadog', () => {
    it('accepts the shared secret header and the runbook matches', async () => {
      await expectAcceptedAndMatched(await post('datadog', datadogBody, { 'X-Wolfe-Secret': DD }), 'datadog');
    });

    it('answers 401 for a wrong or missing header', async () => {
      await expectRejected(await post('datadog', datadogBody, { 'X-Wolfe-Secret': `${DD}x` }), /^X-Wolfe-Secret does not match the configured secret$/, datadogBody);
      await expectRejected(await post('datadog', datadogBody), /^missing X-Wolfe-Secret header/, datadogBody);
    });
  });

  describe('sources without a secret', () => {
    it('still need the admin token (bearer, or basic auth with the token as password on intake)', async () => {
      expect((await post('alertmanager', alertmanagerBody)).status).toBe(401);
      expect((await post('alertmanager', alertmanagerBody, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await post('alertmanager', alertmanagerBody, { authorization: `Bearer ${s.token}` })).status).toBe(202);
      const basic = (password: string) => `Basic ${Buffer.from(`sns:${password}`).toString('base64')}`;
      expect((await post('alertmanager', alertmanagerBody, { authorization: basic(s.token) })).status).toBe(202);
      expect((await post('alertmanager', alertmanagerBody, { authorization: basic('wrong') })).status).toBe(401);
      // Basic auth is for senders that cannot do better, on the intake route only.
      expect((await fetch(`${s.url}/api/v1/executions`, { headers: { authorization: basic(s.token) } })).status).toBe(401);
    });

    it('gives mixed-case paths no way around the token', async () => {
      for (const path of ['/API/v1/executions', '/Api/V1/Events?limit=1']) {
        expect([401, 404]).toContain((await fetch(`${s.url}${path}`)).status);
      }
      const res = await fetch(`${s.url}/API/V1/EVENTS/alertmanager`, { method: 'POST', body: alertmanagerBody, headers: { 'content-type': 'application/json' } });
      expect([401, 404]).toContain(res.status);
    });

    it('records an SNS SubscriptionConfirmation and answers 202 with the URL to confirm it (not fetched)', async () => {
      const res = await post('cloudwatch', snsConfirmation, { authorization: `Bearer ${s.token}`, 'content-type': 'text/plain; charset=UTF-8' });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { deliveryId: string; eventIds: string[]; subscribeUrl: string; message: string };
      expect(body.eventIds).toEqual([]);
      expect(body.subscribeUrl).toMatch(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\/\?Action=ConfirmSubscription&/);
      expect(body.message).toMatch(/does not confirm it by itself: GET subscribeUrl once/);
      const d = (await (await api(s, `/api/v1/deliveries/${body.deliveryId}`)).json()) as DeliveryRecord;
      expect(d).toMatchObject({ source: 'cloudwatch', outcome: 'accepted', body: snsConfirmation, eventIds: [] });
    });
  });
});
