// The egress client against real HTTP servers on 127.0.0.1, with a fake resolver (there is no
// DNS here). Every connection the client opens is checked by `beforeConnect`: a test that would
// connect anywhere but 127.0.0.1 fails instead of sending a packet.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CapabilityError, type CapabilityCall, type HttpRequestSpec, type HttpResponseSpec } from '@wolfe/application';
import { parseEgressRule, type EgressRule } from '@wolfe/runbooks';
import { EgressClient, type Lookup } from './client';

jest.setTimeout(20_000);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Handler = (req: Seen, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const rules = (...texts: string[]): EgressRule[] =>
  texts.map((t) => {
    const r = parseEgressRule(t);
    if (typeof r === 'string') throw new Error(r);
    return r;
  });

/** The fake DNS: names → addresses; every lookup is counted. */
function fakeDns(table: Record<string, string[]>): { lookup: Lookup; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    lookup: async (hostname) => {
      calls.push(hostname);
      const found = table[hostname];
      if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

const connected: string[] = [];
const onlyLoopback = (address: string, port: number) => {
  connected.push(`${address}:${port}`);
  if (address !== '127.0.0.1') throw new Error(`TEST SAFETY NET: the client tried to connect to ${address}`);
};

const call = (timeoutMs = 5_000): CapabilityCall => ({ signal: new AbortController().signal, timeoutMs });
const get = (url: string, over: Partial<HttpRequestSpec> = {}): HttpRequestSpec => ({ url, method: 'GET', headers: {}, body: null, timeoutMs: 3_000, redirect: 'follow', ...over });

async function refusal(p: Promise<HttpResponseSpec>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CapabilityError) return { name: err.name, message: err.message };
    throw err;
  }
  throw new Error('expected the request to be refused');
}

describe('EgressClient', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await serve((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ ok: true, method: req.method, body: req.body }));
      } else if (req.url.startsWith('/redirect?to=')) {
        res.writeHead(Number(new URL(req.url, 'http://x').searchParams.get('status') ?? '302'), { location: decodeURIComponent(req.url.slice('/redirect?to='.length).split('&status=')[0] ?? '') });
        res.end('moved');
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(2 * 1024 * 1024));
      } else if (req.url === '/hang') {
        // never answers
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`hello ${req.method} ${req.url}`);
      }
    });
    b = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`b got ${req.method} ${req.url}`);
    });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    connected.length = 0;
    a.seen.length = 0;
    b.seen.length = 0;
  });

  it('fetches from an allowlisted host, connecting to the address resolved once, with the name as Host', async () => {
    const dns = fakeDns({ 'api.test': ['127.0.0.1'] });
    const client = new EgressClient({ rules: rules(`api.test:${a.port}`), lookup: dns.lookup, beforeConnect: onlyLoopback });
    const r = await client.fetch(get(`http://api.test:${a.port}/json`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer t' } }), call());
    expect(r).toMatchObject({ status: 200, statusText: 'OK', url: `http://api.test:${a.port}/json`, headers: { 'content-type': 'application/json', 'set-cookie': 'a=1, b=2' } });
    expect(JSON.parse(r.body)).toEqual({ ok: true, method: 'POST', body: '{"x":1}' });
    expect(dns.calls).toEqual(['api.test']);
    expect(connected).toEqual([`127.0.0.1:${a.port}`]);
    expect(a.seen[0]?.headers).toMatchObject({ host: `api.test:${a.port}`, 'accept-encoding': 'identity', authorization: 'Bearer t', 'user-agent': 'wolfe-runbook' });
  });

  it('refuses hosts, ports and schemes outside the allowlist before resolving anything', async () => {
    const dns = fakeDns({ 'api.test': ['127.0.0.1'], 'evil.test': ['127.0.0.1'] });
    const client = new EgressClient({ rules: rules(`https://api.test:${a.port}`), lookup: dns.lookup, beforeConnect: onlyLoopback });
    for (const url of [`https://evil.test:${a.port}/`, `http://api.test:${a.port}/`, `https://api.test:${a.port + 1}/`, 'file:///etc/passwd', 'gopher://api.test/']) {
      expect(await refusal(client.fetch(get(url), call()))).toMatchObject({ name: 'EgressDeniedError' });
    }
    expect(dns.calls).toEqual([]);
    expect(connected).toEqual([]);
  });

  it('refuses a wildcard name that resolves to loopback, private or metadata addresses (and a mix), but not an exact one', async () => {
    const dns = fakeDns({ 'evil.svc.test': ['127.0.0.1'], 'ten.svc.test': ['10.0.0.7'], 'mixed.svc.test': ['93.184.216.34', '10.0.0.7'], 'meta.test': ['169.254.169.254'], 'exact.test': ['127.0.0.1'] });
    const client = new EgressClient({ rules: rules(`*.svc.test:${a.port}`, `meta.test:${a.port}`, `exact.test:${a.port}`), lookup: dns.lookup, beforeConnect: onlyLoopback });
    expect(await refusal(client.fetch(get(`http://evil.svc.test:${a.port}/`), call()))).toEqual({
      name: 'EgressDeniedError',
      message: `ctx.http: http://evil.svc.test:${a.port} resolves to a loopback address, which only an egress entry naming that exact host or IP may reach (a wildcard never does)`,
    });
    expect(await refusal(client.fetch(get(`http://ten.svc.test:${a.port}/`), call()))).toMatchObject({ message: expect.stringContaining('private (RFC 1918)') });
    expect(await refusal(client.fetch(get(`http://mixed.svc.test:${a.port}/`), call()))).toMatchObject({ name: 'EgressDeniedError' });
    expect(await refusal(client.fetch(get(`http://meta.test:${a.port}/`), call()))).toMatchObject({ message: expect.stringContaining('cloud metadata address, which only an egress entry naming that exact IP') });
    expect(connected).toEqual([]);
    expect((await client.fetch(get(`http://exact.test:${a.port}/ok`), call())).body).toBe('hello GET /ok');
  });

  it('reads every spelling of an IP address as that address: decimal, octal, hex and IPv4-mapped IPv6', async () => {
    const none = new EgressClient({ rules: rules(`api.test:${a.port}`), lookup: fakeDns({}).lookup, beforeConnect: onlyLoopback });
    const named = new EgressClient({ rules: rules(`127.0.0.1:${a.port}`), lookup: fakeDns({}).lookup, beforeConnect: onlyLoopback });
    for (const host of ['2130706433', '017700000001', '0x7f.0.0.1', '127.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      const url = `http://${host}:${a.port}/spelled`;
      expect(await refusal(none.fetch(get(url), call()))).toMatchObject({ name: 'EgressDeniedError' });
      expect((await named.fetch(get(url), call())).body).toBe('hello GET /spelled');
    }
    const meta = new EgressClient({ rules: rules('*.example.com', 'api.example.com'), lookup: fakeDns({}).lookup, beforeConnect: onlyLoopback });
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/', 'http://[::ffff:169.254.169.254]/', 'http://[fd00:ec2::254]/', 'http://0.0.0.0/', 'http://[::]/']) {
      expect(await refusal(meta.fetch(get(url), call()))).toMatchObject({ name: 'EgressDeniedError' });
    }
    expect(connected.every((c) => c.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('checks every redirect hop: refuses one to a private address or an unlisted host, drops credentials across origins', async () => {
    const dns = fakeDns({ 'api.test': ['127.0.0.1'], 'b.test': ['127.0.0.1'], 'internal.svc.test': ['10.0.0.9'] });
    const client = new EgressClient({ rules: rules(`api.test:${a.port}`, `b.test:${b.port}`, '*.svc.test'), lookup: dns.lookup, beforeConnect: onlyLoopback });
    const redirect = (to: string, status = 302) => `http://api.test:${a.port}/redirect?to=${encodeURIComponent(to)}&status=${status}`;

    expect(await refusal(client.fetch(get(redirect('http://169.254.169.254/latest/meta-data/iam')), call()))).toMatchObject({
      name: 'EgressDeniedError',
      message: expect.stringMatching(/^ctx\.http: a redirect to http:\/\/169\.254\.169\.254 was refused/),
    });
    expect(await refusal(client.fetch(get(redirect('http://internal.svc.test/admin')), call()))).toMatchObject({ message: expect.stringContaining('private (RFC 1918)') });
    expect(await refusal(client.fetch(get(redirect(`http://elsewhere.example:${b.port}/`)), call()))).toMatchObject({ name: 'EgressDeniedError' });

    const cross = await client.fetch(get(redirect(`http://b.test:${b.port}/landed`), { headers: { authorization: 'Bearer secret-token', cookie: 'c=1', accept: 'text/plain' } }), call());
    expect(cross).toMatchObject({ status: 200, url: `http://b.test:${b.port}/landed`, body: 'b got GET /landed' });
    expect(b.seen[0]?.headers['authorization']).toBeUndefined();
    expect(b.seen[0]?.headers['cookie']).toBeUndefined();
    expect(b.seen[0]?.headers['accept']).toBe('text/plain');

    a.seen.length = 0;
    await client.fetch(get(redirect(`http://api.test:${a.port}/same`), { headers: { authorization: 'Bearer secret-token' } }), call());
    expect(a.seen.map((s) => [s.url.split('?')[0], s.headers['authorization']])).toEqual([
      ['/redirect', 'Bearer secret-token'],
      ['/same', 'Bearer secret-token'],
    ]);

    // 303 after a POST: a GET without the body. `manual`: the 3xx as is.
    a.seen.length = 0;
    const seeOther = await client.fetch(get(redirect(`http://api.test:${a.port}/after`, 303), { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } }), call());
    expect(seeOther.body).toBe('hello GET /after');
    expect(a.seen[1]).toMatchObject({ method: 'GET', body: '' });
    const manual = await client.fetch(get(redirect('http://169.254.169.254/'), { redirect: 'manual' }), call());
    expect(manual).toMatchObject({ status: 302, headers: { location: 'http://169.254.169.254/' } });
    expect(connected.every((c) => c.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('stops after the redirect limit', async () => {
    const client = new EgressClient({ rules: rules(`api.test:${a.port}`), lookup: fakeDns({ 'api.test': ['127.0.0.1'] }).lookup, beforeConnect: onlyLoopback, maxRedirects: 2 });
    let url = `http://api.test:${a.port}/end`;
    for (let i = 0; i < 3; i++) url = `http://api.test:${a.port}/redirect?to=${encodeURIComponent(url)}`;
    expect(await refusal(client.fetch(get(url), call()))).toMatchObject({ name: 'HttpRedirectError' });
  });

  it('bounds the response body and the time, and never lets a runbook set Host or hop-by-hop headers', async () => {
    const client = new EgressClient({ rules: rules(`api.test:${a.port}`), lookup: fakeDns({ 'api.test': ['127.0.0.1'] }).lookup, beforeConnect: onlyLoopback });
    expect(await refusal(client.fetch(get(`http://api.test:${a.port}/big`), call()))).toMatchObject({ name: 'HttpResponseTooLargeError' });
    const started = performance.now();
    expect(await refusal(client.fetch(get(`http://api.test:${a.port}/hang`, { timeoutMs: 200 }), call()))).toMatchObject({ name: 'HttpTimeoutError' });
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const header of ['host', 'transfer-encoding', 'connection', 'proxy-authorization', 'content-length']) {
      expect(await refusal(client.fetch(get(`http://api.test:${a.port}/`, { headers: { [header]: 'x' } }), call()))).toMatchObject({ name: 'TypeError' });
    }
    const controller = new AbortController();
    const pending = client.fetch(get(`http://api.test:${a.port}/hang`), { signal: controller.signal, timeoutMs: 5_000 });
    setTimeout(() => controller.abort(), 50);
    expect(await refusal(pending)).toMatchObject({ name: 'AbortError' });
  });

  it('reports network errors without the address, and ignores proxy settings in the environment', async () => {
    const proxy = await serve((_req, res) => res.end('via proxy'));
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], http_proxy: process.env['http_proxy'] };
    process.env['HTTP_PROXY'] = `http://127.0.0.1:${proxy.port}`;
    process.env['http_proxy'] = `http://127.0.0.1:${proxy.port}`;
    try {
      const client = new EgressClient({ rules: rules(`api.test:${a.port}`, 'down.test:1'), lookup: fakeDns({ 'api.test': ['127.0.0.1'], 'down.test': ['127.0.0.1'] }).lookup, beforeConnect: onlyLoopback });
      expect((await client.fetch(get(`http://api.test:${a.port}/direct`), call())).body).toBe('hello GET /direct');
      expect(proxy.seen).toEqual([]);
      expect(await refusal(client.fetch(get('http://down.test:1/'), call()))).toEqual({ name: 'HttpNetworkError', message: 'ctx.http: http://down.test:1 refused the connection' });
      expect(await refusal(client.fetch(get(`http://nowhere.test:${a.port}/`), call()))).toMatchObject({ name: 'EgressDeniedError' });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      await proxy.close();
    }
  });

  it('speaks https to the checked address with the host name as TLS server name, and verifies the certificate against it', async () => {
    const tls = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`tls ${req.headers.host ?? ''}`);
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const port = (tls.address() as AddressInfo).port;
    try {
      const dns = fakeDns({ 'api.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] });
      const client = new EgressClient({ rules: rules(`https://api.test:${port}`, `https://other.test:${port}`), lookup: dns.lookup, beforeConnect: onlyLoopback, ca: TEST_CERT });
      expect((await client.fetch(get(`https://api.test:${port}/`), call())).body).toBe(`tls api.test:${port}`);
      // The certificate is for api.test: another name on the same address fails verification.
      expect(await refusal(client.fetch(get(`https://other.test:${port}/`), call()))).toMatchObject({ name: 'HttpNetworkError', message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID') });
      // Without the test CA the self-signed certificate is not trusted.
      const strict = new EgressClient({ rules: rules(`https://api.test:${port}`), lookup: dns.lookup, beforeConnect: onlyLoopback });
      expect(await refusal(strict.fetch(get(`https://api.test:${port}/`), call()))).toMatchObject({ name: 'HttpNetworkError' });
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });
});

/** A self-signed certificate for api.test (test fixture only; valid until 2126). */
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkjCCATigAwIBAgIUdggTlQE5xhcYnpJDWBeBHxLr5IIwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIYXBpLnRlc3QwIBcNMjYxMTIxMTU0NTExWhgPMjEyNjEwMjgx
NTQ1MTFaMBMxETAPBgNVBAMMCGFwaS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEiVGiyJJkJ3YzQ31kp5mB5g2rXEhwgYkPc0IjGWMT8BOZb25MZjjI8hRp
4EmfP5ACWD4Bn8eutHH3M51/OdHJ6aNoMGYwHQYDVR0OBBYEFJeDbT8hJHkOsYgK
7cyN9v/epGrMMB8GA1UdIwQYMBaAFJeDbT8hJHkOsYgK7cyN9v/epGrMMA8GA1Ud
EwEB/wQFMAMBAf8wEwYDVR0RBAwwCoIIYXBpLnRlc3QwCgYIKoZIzj0EAwIDSAAw
RQIgSLefMKPuGcB1XkO5/EMhOJldx8mgwC/6Se+qNW1q4w4CIQDVpKNRkEh0COcv
uPZ6qeQv00w2t1+MYCP99P4/9zGsqQ==
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggZpfKNrQk/jKdwBG
JjOvyncZDjY/dqyKpK8GRGHBALChRANCAASJUaLIkmQndjNDfWSnmYHmDatcSHCB
iQ9zQiMZYxPwE5lvbkxmOMjyFGngSZ8/kAJYPgGfx660cfcznX850cnp
-----END PRIVATE KEY-----
`;
