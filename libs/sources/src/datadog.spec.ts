import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { datadog, parseTags, parseTitle } from './datadog';

const LABELS = {
  alertname: 'Checkout p99 latency',
  datadog_monitor_id: '81273646',
  'availability-zone': 'us-east-1a',
  role: 'checkout',
  env: 'prod',
  service: 'checkout',
  team: 'payments,sre',
};

describe('datadog', () => {
  describe('default body template', () => {
    it('reads the transition and scope from the title; $ID is the delivery key', () => {
      const r = expectOk(datadog.normalize(fixture('datadog/default-triggered.json')));
      expect(r.deliveryKey).toBe('7512960361827645120');
      expect(r.alerts).toHaveLength(1);
      const [a] = r.alerts;
      expect(a).toMatchObject({
        source: 'datadog',
        labels: { alertname: 'High load on web hosts', host: 'ip-10-0-3-17' },
        status: 'firing',
        startsAt: '2024-05-14T09:21:30.000Z', // $DATE, epoch milliseconds
        endsAt: null,
        sourceFingerprint: null,
        sourceUrl: null,
      });
      expect(a?.annotations).toMatchObject({ datadog_transition: 'Triggered', datadog_event_type: 'query_alert_monitor', datadog_org: 'Acme' });
    });

    it('resolves on [Recovered …] with the same labels', () => {
      const [a] = expectOk(datadog.normalize(fixture('datadog/default-recovered.json'))).alerts;
      expect(a).toMatchObject({ labels: { alertname: 'High load on web hosts', host: 'ip-10-0-3-17' }, status: 'resolved', startsAt: null, endsAt: '2024-05-14T09:48:30.000Z' });
    });
  });

  describe('recommended template', () => {
    it('maps Triggered → firing; scope and key:value tags → labels', () => {
      const r = expectOk(datadog.normalize(fixture('datadog/recommended-triggered.json')));
      expect(r.deliveryKey).toBe('7512960361827645121');
      const [a] = r.alerts;
      expect(a?.labels).toEqual(LABELS); // bare tag "monitor" skipped; team has two values
      expect(a).toMatchObject({
        status: 'firing',
        startsAt: '2024-05-14T09:21:30.000Z',
        endsAt: null,
        sourceFingerprint: '9bd4ac313a4d1e8fae2482df7b77628',
        sourceUrl: 'https://app.datadoghq.com/monitors/81273646?group=availability-zone%3Aus-east-1a%2Crole%3Acheckout',
      });
      expect(a?.annotations).toMatchObject({
        summary: 'trace.http.request.duration.by.service.99p over availability-zone:us-east-1a,role:checkout was > 1.5 on average during the last 5m.',
        datadog_transition: 'Triggered',
        datadog_priority: 'P2',
        datadog_alert_cycle_key: '7512960361827645999',
        datadog_metric: 'trace.http.request.duration.by.service.99p',
      });
    });

    it('gives a re-notification no startsAt (not a new episode)', () => {
      const [a] = expectOk(datadog.normalize(fixture('datadog/recommended-retriggered.json'))).alerts;
      expect(a).toMatchObject({ labels: LABELS, status: 'firing', startsAt: null, endsAt: null });
    });

    it('maps Recovered → resolved', () => {
      const [a] = expectOk(datadog.normalize(fixture('datadog/recommended-recovered.json'))).alerts;
      expect(a).toMatchObject({ labels: LABELS, status: 'resolved', endsAt: '2024-05-14T10:58:30.000Z' });
    });

    it('records No Data as resolved with a note', () => {
      const r = expectOk(datadog.normalize(fixture('datadog/recommended-no-data.json')));
      expect(r.alerts[0]).toMatchObject({ labels: LABELS, status: 'resolved' });
      expect(r.alerts[0]?.annotations['datadog_transition']).toBe('No Data');
      expect(r.notes).toEqual(['Datadog "No Data" for "Checkout p99 latency": recorded as resolved (missing data never fires)']);
    });

    it('maps Warn → firing and accepts unquoted numbers and unreplaced variables', () => {
      const p = { ...fixtureObject('datadog/recommended-triggered.json'), alert_transition: 'Warn', date: 1715678490000, alert_id: 81273646, hostname: '$HOSTNAME', alert_scope: '' };
      const [a] = expectOk(datadog.normalize(p)).alerts;
      expect(a).toMatchObject({ status: 'firing', startsAt: '2024-05-14T09:21:30.000Z' });
      expect(a?.labels).toMatchObject({ datadog_monitor_id: '81273646', 'availability-zone': 'us-east-1a' }); // scope from the title
      expect(a?.labels).not.toHaveProperty('host');
    });

    it('does not let tags override alertname or the monitor id', () => {
      const p = { ...fixtureObject('datadog/recommended-triggered.json'), tags: 'alertname:spoof,datadog_monitor_id:1,owner:me' };
      const [a] = expectOk(datadog.normalize(p)).alerts;
      expect(a?.labels).toMatchObject({ alertname: 'Checkout p99 latency', datadog_monitor_id: '81273646', owner: 'me' });
    });
  });

  describe('title and tags', () => {
    it('parses prefixes', () => {
      expect(parseTitle('[P1] [Re-Triggered on {host:a,role:b}] Disk full')).toMatchObject({ name: 'Disk full', scope: 'host:a,role:b', priority: 'P1' });
      expect(parseTitle('[P1] [Re-Triggered on {host:a,role:b}] Disk full').transition?.name).toBe('Re-Triggered');
      expect(parseTitle('[Triggered] [prod] Disk full')).toMatchObject({ name: '[prod] Disk full', scope: null });
      expect(parseTitle('Disk full')).toMatchObject({ name: 'Disk full', transition: undefined });
    });
    it('splits tags on the first colon and skips bare tags', () => {
      expect(parseTags('url:http://x:8080, monitor, env:prod,')).toEqual([
        ['url', 'http://x:8080'],
        ['env', 'prod'],
      ]);
    });
  });

  describe('rejects', () => {
    it('a payload with no way to tell the transition', () => {
      const p = { ...fixtureObject('datadog/default-triggered.json'), title: 'High load on web hosts' };
      expectError(datadog.normalize(p), 'alert_transition', /add "alert_transition": "\$ALERT_TRANSITION"/);
    });
    it('an unknown transition', () => {
      const p = { ...fixtureObject('datadog/recommended-triggered.json'), alert_transition: 'Exploded' };
      expectError(datadog.normalize(p), 'alert_transition', /expected one of "Triggered", "Re-Triggered", "Warn", .*got a string \("Exploded"\)/);
    });
    it('a missing title', () => {
      expectError(datadog.normalize({ id: '1', alert_transition: 'Triggered' }), 'title', /\$EVENT_TITLE/);
    });
    it('a bad date', () => {
      const p = { ...fixtureObject('datadog/default-triggered.json'), date: 'last tuesday' };
      expectError(datadog.normalize(p), 'date', /"last tuesday" is not an ISO-8601 time/);
    });
    it('objects where strings are expected', () => {
      expectError(datadog.normalize({ ...fixtureObject('datadog/default-triggered.json'), org: { id: { x: 1 } } }), 'org.id', /expected a string, got an object/);
      expectError(datadog.normalize({ ...fixtureObject('datadog/recommended-triggered.json'), tags: ['env:prod'] }), 'tags', /expected a string, got an array/);
    });
  });
});
