import { isIPv4, isIPv6 } from 'node:net';

/**
 * How an IP address may be reached by `ctx.http`:
 *
 * - `public`: through any egress rule that matches the URL (wildcards included);
 * - `named`: loopback, private (RFC 1918), CGNAT, ULA, documentation and benchmark ranges —
 *   only through a rule naming the exact host (no wildcard) or this exact IP;
 * - `ip`: link-local, cloud metadata endpoints and other infrastructure addresses — only
 *   through a rule naming this exact IP (a host name pointing there is always refused: that is
 *   the classic SSRF trick);
 * - `never`: unspecified, multicast, broadcast, reserved, discard — never reachable.
 */
export type Reach = 'public' | 'named' | 'ip' | 'never';

export interface AddressVerdict {
  readonly reach: Reach;
  /** What it is, for messages: `loopback`, `private (RFC 1918)`, `cloud metadata`, … */
  readonly kind: string;
  /** The address checked (for an IPv4 address embedded in IPv6, the IPv4 address). */
  readonly address: string;
}

interface Range4 {
  readonly base: number;
  readonly bits: number;
  readonly reach: Reach;
  readonly kind: string;
}

const v4 = (cidr: string, reach: Reach, kind: string): Range4 => {
  const [ip = '', bits = '32'] = cidr.split('/');
  return { base: ipv4ToInt(ip), bits: Number(bits), reach, kind };
};

/** Most specific first. */
const RANGES4: readonly Range4[] = [
  v4('169.254.169.254/32', 'ip', 'cloud metadata'),
  v4('169.254.170.2/32', 'ip', 'cloud metadata (ECS task credentials)'),
  v4('100.100.100.200/32', 'ip', 'cloud metadata (Alibaba)'),
  v4('168.63.129.16/32', 'ip', 'cloud platform endpoint (Azure)'),
  v4('192.0.0.192/32', 'ip', 'cloud metadata (Oracle)'),
  v4('255.255.255.255/32', 'never', 'broadcast'),
  v4('0.0.0.0/8', 'never', 'unspecified ("this network")'),
  v4('127.0.0.0/8', 'named', 'loopback'),
  v4('10.0.0.0/8', 'named', 'private (RFC 1918)'),
  v4('172.16.0.0/12', 'named', 'private (RFC 1918)'),
  v4('192.168.0.0/16', 'named', 'private (RFC 1918)'),
  v4('100.64.0.0/10', 'named', 'shared address space (CGNAT)'),
  v4('169.254.0.0/16', 'ip', 'link-local'),
  v4('192.0.0.0/24', 'ip', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'named', 'documentation'),
  v4('198.51.100.0/24', 'named', 'documentation'),
  v4('203.0.113.0/24', 'named', 'documentation'),
  v4('198.18.0.0/15', 'named', 'benchmarking'),
  v4('192.88.99.0/24', 'never', 'reserved (6to4 relay anycast)'),
  v4('224.0.0.0/4', 'never', 'multicast'),
  v4('240.0.0.0/4', 'never', 'reserved'),
];

export function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function classify4(ip: string): AddressVerdict {
  const n = ipv4ToInt(ip);
  for (const r of RANGES4) {
    const mask = r.bits === 0 ? 0 : (0xffffffff << (32 - r.bits)) >>> 0;
    if (((n & mask) >>> 0) === ((r.base & mask) >>> 0)) return { reach: r.reach, kind: r.kind, address: ip };
  }
  return { reach: 'public', kind: 'public', address: ip };
}

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail converted). */
export function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const n = ipv4ToInt(dotted[1]);
    text = `${text.slice(0, text.length - dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function classify6(ip: string): AddressVerdict {
  const g = ipv6Groups(ip);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (hi: number, lo: number) => intToIpv4(((hi << 16) | lo) >>> 0);
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return { reach: 'never', kind: 'unspecified', address: ip };
  if (zeroTo(7) && g7 === 1) return { reach: 'named', kind: 'loopback', address: ip };
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d),
  // NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::): the IPv4 address inside decides.
  if (zeroTo(5) && g5 === 0xffff) return classify4(embedded(g6, g7));
  if (zeroTo(6)) return classify4(embedded(g6, g7));
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return classify4(embedded(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classify4(embedded(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return { reach: 'named', kind: 'NAT64 (local use)', address: ip };
  if (g0 === 0x2002) return classify4(embedded(g1, g2));
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) {
    return { reach: 'ip', kind: 'cloud metadata (AWS IPv6)', address: ip };
  }
  if ((g0 & 0xffc0) === 0xfe80) return { reach: 'ip', kind: 'link-local', address: ip };
  if ((g0 & 0xffc0) === 0xfec0) return { reach: 'ip', kind: 'site-local (deprecated)', address: ip };
  if ((g0 & 0xfe00) === 0xfc00) return { reach: 'named', kind: 'unique local (ULA)', address: ip };
  if ((g0 & 0xff00) === 0xff00) return { reach: 'never', kind: 'multicast', address: ip };
  if (g0 === 0x2001 && g1 === 0x0db8) return { reach: 'named', kind: 'documentation', address: ip };
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return { reach: 'never', kind: 'discard', address: ip };
  if (g0 === 0x2001 && g1 === 0) return { reach: 'named', kind: 'Teredo', address: ip };
  if (g0 === 0x2001 && (g1 & 0xfe00) === 0) return { reach: 'named', kind: 'IETF protocol assignments', address: ip };
  return { reach: 'public', kind: 'public', address: ip };
}

/** Classifies an IP address (v4 or v6, as written by a URL parser or a resolver). Not an IP: `never`. */
export function classifyAddress(ip: string): AddressVerdict {
  if (isIPv4(ip)) return classify4(ip);
  if (isIPv6(ip)) return classify6(ip);
  return { reach: 'never', kind: 'not an IP address', address: ip };
}

/** Whether `text` is an IP address literal (v4, or v6 without brackets). */
export function isIpLiteral(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

/** Two spellings of the same address compare equal (IPv6 groups; an IPv4-mapped IPv6 address equals its IPv4 address). */
export function sameAddress(a: string, b: string): boolean {
  return canonicalAddress(a) === canonicalAddress(b);
}

export function canonicalAddress(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip.toLowerCase();
  const g = ipv6Groups(ip);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return intToIpv4((((g[6] ?? 0) << 16) | (g[7] ?? 0)) >>> 0);
  return g.map((x) => x.toString(16)).join(':');
}
