import { createHmac } from 'node:crypto';
import { constantTimeEquals, datadogVerifier, grafanaVerifier, pagerdutyVerifier, signatureVerifiers, signedSources, signGrafana, signPagerDuty } from './signatures';

const body = Buffer.from('{"alerts":[]}');
const secret = 'grafana-secret-0123456789';
const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const nowS = Math.floor(now / 1000);

describe('Grafana HMAC', () => {
  const v = grafanaVerifier({ secret, maxSkewMs: 300_000, header: 'X-Grafana-Alerting-Signature', timestampHeader: 'X-Grafana-Alerting-Timestamp' });

  it('signs hex(HMAC-SHA256(secret, [timestamp ":"] body)) like Grafana', () => {
    expect(signGrafana(secret, body)).toBe(createHmac('sha256', secret).update(body).digest('hex'));
    expect(signGrafana(secret, body, nowS)).toBe(createHmac('sha256', secret).update(`${nowS}:`).update(body).digest('hex'));
  });

  it('accepts a valid signature with or without a timestamp (headers are case-insensitive)', () => {
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body) }, body, now)).toEqual({ ok: true });
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body, nowS).toUpperCase(), 'x-grafana-alerting-timestamp': String(nowS) }, body, now)).toEqual({ ok: true });
    // Grafana versions that leave the header empty use X-Grafana-Alert-Signature.
    expect(v.verify({ 'x-grafana-alert-signature': signGrafana(secret, body) }, body, now)).toEqual({ ok: true });
  });

  it('refuses a missing, wrong or tampered signature with the reason', () => {
    expect(v.verify({}, body, now)).toEqual({ ok: false, reason: expect.stringMatching(/^missing X-Grafana-Alerting-Signature header/) });
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana('another-secret-0123456789', body) }, body, now)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^X-Grafana-Alerting-Signature does not match the configured secret/),
    });
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body) }, Buffer.from('{"alerts":[1]}'), now).ok).toBe(false);
    expect(v.verify({ 'x-grafana-alerting-signature': 'zz' }, body, now).ok).toBe(false);
    // The timestamp is part of what is signed: changing it breaks the signature.
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body, nowS), 'x-grafana-alerting-timestamp': String(nowS + 1) }, body, now).ok).toBe(false);
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body), 'x-grafana-alerting-timestamp': 'yesterday' }, body, now)).toEqual({
      ok: false,
      reason: 'X-Grafana-Alerting-Timestamp must be a Unix timestamp in seconds',
    });
  });

  it('refuses timestamps older (or further ahead) than maxSkew', () => {
    const old = nowS - 301;
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body, old), 'x-grafana-alerting-timestamp': String(old) }, body, now)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^X-Grafana-Alerting-Timestamp is 301 s old; older than 300 s \(sources\.grafana\.maxSkew\) is refused/),
    });
    const ahead = nowS + 400;
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body, ahead), 'x-grafana-alerting-timestamp': String(ahead) }, body, now).ok).toBe(false);
    const recent = nowS - 299;
    expect(v.verify({ 'x-grafana-alerting-signature': signGrafana(secret, body, recent), 'x-grafana-alerting-timestamp': String(recent) }, body, now).ok).toBe(true);
  });
});

describe('PagerDuty v1 signatures', () => {
  const current = 'pagerduty-secret-0123456789';
  const previous = 'pagerduty-old-secret-0123456789';
  const v = pagerdutyVerifier({ secrets: [current, previous] });

  it('accepts when any v1= value matches any configured secret (rotation)', () => {
    expect(signPagerDuty([current], body)).toBe(`v1=${createHmac('sha256', current).update(body).digest('hex')}`);
    expect(v.verify({ 'x-pagerduty-signature': signPagerDuty([current], body) }, body, now)).toEqual({ ok: true });
    expect(v.verify({ 'x-pagerduty-signature': signPagerDuty(['unknown-secret-0123456789', previous], body) }, body, now)).toEqual({ ok: true });
    expect(v.verify({ 'x-pagerduty-signature': ` v2=abc, ${signPagerDuty([previous], body)} ` }, body, now)).toEqual({ ok: true });
  });

  it('refuses with the reason otherwise', () => {
    expect(v.verify({}, body, now)).toEqual({ ok: false, reason: expect.stringMatching(/^missing X-PagerDuty-Signature header/) });
    expect(v.verify({ 'x-pagerduty-signature': 'v2=abc' }, body, now)).toEqual({ ok: false, reason: 'X-PagerDuty-Signature has no v1= signature (found: v2)' });
    expect(v.verify({ 'x-pagerduty-signature': signPagerDuty(['unknown-secret-0123456789'], body) }, body, now)).toEqual({
      ok: false,
      reason: 'X-PagerDuty-Signature does not match any configured secret',
    });
    expect(v.verify({ 'x-pagerduty-signature': signPagerDuty([current], body) }, Buffer.from('{}'), now).ok).toBe(false);
  });
});

describe('Datadog shared header secret', () => {
  const v = datadogVerifier({ header: 'X-Wolfe-Secret', secret: 'datadog-secret-0123456789' });
  it('compares the header in constant time', () => {
    expect(v.verify({ 'x-wolfe-secret': 'datadog-secret-0123456789' }, body, now)).toEqual({ ok: true });
    expect(v.verify({ 'x-wolfe-secret': 'datadog-secret-012345678' }, body, now)).toEqual({ ok: false, reason: 'X-Wolfe-Secret does not match the configured secret' });
    expect(v.verify({}, body, now)).toEqual({ ok: false, reason: expect.stringMatching(/^missing X-Wolfe-Secret header/) });
    expect(constantTimeEquals('a', 'a')).toBe(true);
    expect(constantTimeEquals('a', 'ab')).toBe(false);
  });
});

it('lists the sources authenticated by signature', () => {
  expect([...signedSources({})]).toEqual([]);
  const all = signatureVerifiers({
    grafana: { secret, maxSkewMs: 1, header: 'h', timestampHeader: 't' },
    pagerduty: { secrets: ['x'] },
    datadog: { header: 'X-A', secret: 'y' },
  });
  expect([...all.keys()]).toEqual(['grafana', 'pagerduty', 'datadog']);
  expect([...signedSources({ datadog: { header: 'X-A', secret: 'y' } })]).toEqual(['datadog']);
});
