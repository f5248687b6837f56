import { parseEgressRule, type EgressRule } from '@wolfe/runbooks';
import { canonicalAddress, classifyAddress } from './address';
import { addressAllowed, matchTarget } from './policy';

const rules = (...texts: string[]): EgressRule[] =>
  texts.map((t) => {
    const r = parseEgressRule(t);
    if (typeof r === 'string') throw new Error(r);
    return r;
  });

describe('classifyAddress', () => {
  it.each<[string, string, string]>([
    ['8.8.8.8', 'public', 'public'],
    ['127.0.0.1', 'named', 'loopback'],
    ['127.255.1.2', 'named', 'loopback'],
    ['10.1.2.3', 'named', 'private (RFC 1918)'],
    ['172.16.0.1', 'named', 'private (RFC 1918)'],
    ['172.31.255.255', 'named', 'private (RFC 1918)'],
    ['172.32.0.1', 'public', 'public'],
    ['192.168.1.1', 'named', 'private (RFC 1918)'],
    ['100.64.0.1', 'named', 'shared address space (CGNAT)'],
    ['100.100.100.200', 'ip', 'cloud metadata (Alibaba)'],
    ['169.254.169.254', 'ip', 'cloud metadata'],
    ['169.254.1.1', 'ip', 'link-local'],
    ['192.0.0.192', 'ip', 'cloud metadata (Oracle)'],
    ['0.0.0.0', 'never', 'unspecified ("this network")'],
    ['0.1.2.3', 'never', 'unspecified ("this network")'],
    ['224.0.0.1', 'never', 'multicast'],
    ['255.255.255.255', 'never', 'broadcast'],
    ['::', 'never', 'unspecified'],
    ['::1', 'named', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'named', 'loopback'],
    ['::ffff:127.0.0.1', 'named', 'loopback'],
    ['::ffff:7f00:1', 'named', 'loopback'],
    ['::ffff:169.254.169.254', 'ip', 'cloud metadata'],
    ['::127.0.0.1', 'named', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'ip', 'cloud metadata'],
    ['2002:a9fe:a9fe::1', 'ip', 'cloud metadata'],
    ['fd00:ec2::254', 'ip', 'cloud metadata (AWS IPv6)'],
    ['fe80::1', 'ip', 'link-local'],
    ['fe80::1%eth0', 'ip', 'link-local'],
    ['fc00::1', 'named', 'unique local (ULA)'],
    ['fd12:3456::1', 'named', 'unique local (ULA)'],
    ['ff02::1', 'never', 'multicast'],
    ['2001:db8::1', 'named', 'documentation'],
    ['2606:4700::1111', 'public', 'public'],
    ['not-an-ip', 'never', 'not an IP address'],
  ])('%s → %s (%s)', (ip, reach, kind) => {
    expect(classifyAddress(ip)).toMatchObject({ reach, kind });
  });

  it('canonicalizes IPv6 spellings and IPv4-mapped addresses', () => {
    expect(canonicalAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('fd00:0ec2:0:0:0:0:0:0254')).toBe(canonicalAddress('fd00:ec2::254'));
  });
});

describe('matchTarget and addressAllowed', () => {
  it('matches scheme, exact hosts, wildcards, ports and IPs, and reads IPv4 in every spelling as the URL parser does', () => {
    const r = rules('api.example.com', '*.internal.example.com', 'https://hooks.slack.com', '10.1.2.3', 'api.example.com:8443');
    expect(matchTarget('https://api.example.com/v1?x=1', r)).toMatchObject({ ok: true, target: { host: 'api.example.com', port: 443 } });
    expect(matchTarget('http://API.EXAMPLE.COM./', r)).toMatchObject({ ok: true, target: { host: 'api.example.com', port: 80 } });
    expect(matchTarget('https://api.example.com:8443/', r)).toMatchObject({ ok: true });
    expect(matchTarget('https://api.example.com:9000/', r)).toMatchObject({ ok: false, reason: expect.stringMatching(/not in the runbook's egress allowlist/) });
    expect(matchTarget('https://db.internal.example.com/', r)).toMatchObject({ ok: true });
    expect(matchTarget('https://internal.example.com/', r)).toMatchObject({ ok: false });
    expect(matchTarget('https://evilinternal.example.com/', r)).toMatchObject({ ok: false });
    expect(matchTarget('http://hooks.slack.com/', r)).toMatchObject({ ok: false });
    expect(matchTarget('https://hooks.slack.com/services/T/B/x', r)).toMatchObject({ ok: true });
    for (const spelling of ['http://10.1.2.3/', 'http://167838211/', 'http://0xa.1.2.3/', 'http://012.1.2.3/', 'http://[::ffff:10.1.2.3]/', 'http://10.1.515/']) {
      expect([spelling, matchTarget(spelling, r).ok]).toEqual([spelling, true]);
    }
    expect(matchTarget('ftp://api.example.com/', r)).toMatchObject({ ok: false, reason: expect.stringMatching(/http and https only/) });
    expect(matchTarget('https://user:pw@api.example.com/', r)).toMatchObject({ ok: false, reason: expect.stringMatching(/credentials/) });
    expect(matchTarget('/relative', r)).toMatchObject({ ok: false });
  });

  it('lets loopback and private addresses through exact rules only, metadata through an exact IP rule only', () => {
    const check = (url: string, address: string, ...texts: string[]) => {
      const r = rules(...texts);
      const m = matchTarget(url, r);
      if (!m.ok) throw new Error(m.reason);
      return addressAllowed(address, m.target, m.rules).ok;
    };
    expect(check('https://api.example.com/', '93.184.216.34', 'api.example.com')).toBe(true);
    expect(check('https://x.internal.example.com/', '93.184.216.34', '*.internal.example.com')).toBe(true);
    expect(check('https://x.internal.example.com/', '10.0.0.5', '*.internal.example.com')).toBe(false);
    expect(check('https://x.internal.example.com/', '127.0.0.1', '*.internal.example.com')).toBe(false);
    expect(check('https://db.example.com/', '10.0.0.5', 'db.example.com')).toBe(true);
    expect(check('https://db.example.com/', '::1', 'db.example.com')).toBe(true);
    expect(check('https://metadata.google.internal/', '169.254.169.254', 'metadata.google.internal')).toBe(false);
    expect(check('http://169.254.169.254/', '169.254.169.254', '169.254.169.254')).toBe(true);
    expect(check('http://0.0.0.0/', '0.0.0.0', '0.0.0.0')).toBe(false);
    expect(check('https://db.example.com/', '0.0.0.0', 'db.example.com')).toBe(false);
  });
});
