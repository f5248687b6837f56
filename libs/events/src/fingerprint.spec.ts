import { compareUtf8, EMPTY_FINGERPRINT, fingerprint, fnv1a64, sortLabelNames } from './fingerprint';
import type { Labels } from './event';

// Independent reference: BigInt FNV-1a 64 over TextEncoder bytes, names sorted by comparing the
// encoded bytes. Slow and obviously right; the implementation under test shares no code with it.
const encoder = new TextEncoder();
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}
const byUtf8 = (a: string, b: string): number => compareBytes(encoder.encode(a), encoder.encode(b));
function referenceFingerprint(labels: Labels, order: (a: string, b: string) => number = byUtf8): string {
  const names = Object.keys(labels).sort(order);
  let h = 0xcbf29ce484222325n;
  const feed = (b: number): void => {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  for (const name of names) {
    for (const s of [name, labels[name] as string]) {
      for (const b of encoder.encode(s)) feed(b);
      feed(0xff);
    }
  }
  return h.toString(16).padStart(16, '0');
}

describe('fnv1a64', () => {
  // Golden values of Go's hash/fnv (src/hash/fnv/fnv_test.go, golden64a).
  it.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['ab', '089c4407b545986a'],
    ['abc', 'e71fa2190541574b'],
  ])('hashes %j like Go hash/fnv New64a', (input, expected) => {
    expect(fnv1a64(input)).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    // "héllo 🙂": é is 2 bytes, 🙂 is 4 bytes (a surrogate pair in JS). Value from the reference.
    expect(fnv1a64('héllo 🙂')).toBe('7f6dbdcbd1cdc6ea');
    expect(fnv1a64('😀')).not.toBe(fnv1a64('\ud83d\ude01'));
  });
});

describe('fingerprint', () => {
  // Vectors from prometheus/common model/signature_test.go (TestMetricToFingerprint and the
  // BenchmarkMetricToFingerprint* expectations), printed as %016x.
  it.each<[string, Labels, bigint]>([
    ['empty', {}, 14695981039346656037n],
    ['two labels', { name: 'garland, briggs', fear: 'love is not enough' }, 5799056148416392346n],
    ['single', { 'first-label': 'first-label-value' }, 5146282821936882169n],
    [
      'double',
      { 'first-label': 'first-label-value', 'second-label': 'second-label-value' },
      3195800080984914717n,
    ],
    [
      'triple',
      {
        'first-label': 'first-label-value',
        'second-label': 'second-label-value',
        'third-label': 'third-label-value',
      },
      13843036195897128121n,
    ],
  ])('matches prometheus/common for %s', (_name, labels, expected) => {
    expect(fingerprint(labels)).toBe(expected.toString(16).padStart(16, '0'));
  });

  it('gives cbf29ce484222325 for the empty label set', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(EMPTY_FINGERPRINT).toBe('cbf29ce484222325');
  });

  it('matches a fingerprint sent by a real Alertmanager', () => {
    // Webhook body captured from Alertmanager (GitHub liamkelly15-maker/pythonwebhook,
    // docker/alert-manager-webhook/testsuites/testcurl7.sh): "fingerprint": "fbab788ec4c1018b".
    const labels = {
      alertname: 'Deployment',
      app_kubernetes_io_instance: 'eric-oss-common-base',
      app_kubernetes_io_managed_by: 'Helm',
      app_kubernetes_io_name: 'eric-pm-kube-state-metrics',
      app_kubernetes_io_version: '2.1.0_10',
      chart: 'eric-pm-kube-state-metrics-2.1.0_10',
      deployment: 'eric-log-transformer',
      instance: '192.168.69.53:8080',
      job: 'eric-pm-kube-state-metrics',
      kubernetes_name: 'eric-pm-kube-state-metrics',
      kubernetes_namespace: 'eric-eo-cm-ci406',
      namespace: 'eric-eo-cm-ci406',
      severity: 'Warning',
    };
    expect(fingerprint(labels)).toBe('fbab788ec4c1018b');
  });

  it('does not depend on the order the labels were inserted in', () => {
    const a = { alertname: 'HighErrorRate', severity: 'critical', team: 'payments' };
    const b = { team: 'payments', alertname: 'HighErrorRate', severity: 'critical' };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).toBe(referenceFingerprint(a));
  });

  it('separates name and value with 0xFF (no collisions by moving text across the boundary)', () => {
    expect(fingerprint({ ab: 'c' })).not.toBe(fingerprint({ a: 'bc' }));
    expect(fingerprint({ a: '' })).not.toBe(fingerprint({}));
  });

  it('orders names by UTF-8 bytes, not UTF-16 code units', () => {
    // U+1F642 is a surrogate pair (D83D DE42) in UTF-16, so JS's default sort puts it before
    // U+E000 and U+FFFD; in UTF-8 (F0 9F 99 82 vs EE 80 80 / EF BF BD) it sorts last. Expected
    // values computed independently (Python: sorted(key=str.encode) + FNV-1a 64 loop).
    const labels = { '\u{1F642}': 'astral', '\uE000': 'private', '\uFFFD': 'repl' };
    expect(Object.keys(labels).sort()).toEqual(['\u{1F642}', '\uE000', '\uFFFD']);
    expect(fingerprint(labels)).toBe('8c8ab7eca1e46beb');
    // The same trap after a common prefix: "a🙂" vs "a～" (U+FF5E).
    expect(fingerprint({ 'a\u{1F642}': '1', 'a\uFF5E': '2' })).toBe('adab0d8bb6361106');
    expect(referenceFingerprint(labels)).toBe('8c8ab7eca1e46beb');
    // A UTF-16 (JS default) order would give another hash: the test can tell the difference.
    const utf16 = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    expect(referenceFingerprint(labels, utf16)).not.toBe('8c8ab7eca1e46beb');
  });

  it('hashes non-ASCII names and values', () => {
    expect(fingerprint({ ключ: 'значение', 名前: '値', café: 'crème' })).toBe('cba724ae4d802a10');
    expect(
      fingerprint({
        alertname: 'HighErrorRate',
        severity: 'critical',
        team: 'payments',
        instance: '10.0.0.1:9090',
        job: 'api',
      }),
    ).toBe('acc98fe7ad59a6cc');
  });

  it('hashes a lone surrogate as U+FFFD (what Go decodes such a JSON escape to)', () => {
    expect(fingerprint({ a: '\ud800' })).toBe(fingerprint({ a: '\ufffd' }));
    expect(fingerprint({ a: 'x\udc00y' })).toBe(fingerprint({ a: 'x\ufffdy' }));
  });

  it('agrees with the BigInt reference on random label sets (astral, BMP-high, ASCII)', () => {
    const alphabet = ['a', 'b', 'z', '_', '0', 'é', 'ж', '\u4e2d', '\ue000', '\uff5e', '\ufffd', '\u{1F642}', '\u{10FFFF}', ' ', '\u007f'];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (): string => {
      let s = '';
      const len = rnd(5);
      for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
      return s;
    };
    for (let i = 0; i < 500; i++) {
      const labels: Record<string, string> = {};
      const n = rnd(8);
      for (let j = 0; j < n; j++) labels[word()] = word();
      expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
    }
  });
});

describe('compareUtf8 / sortLabelNames', () => {
  const samples = ['', 'a', 'ab', 'b', 'é', '\ue000', '\uffff', '\ud7ff', '\u{10000}', '\u{1F642}', 'a\u{1F642}', 'a\uff5e', '\u{10FFFF}'];

  it('orders like a byte comparison of the UTF-8 encodings', () => {
    for (const a of samples) {
      for (const b of samples) {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(compareBytes(encoder.encode(a), encoder.encode(b))));
      }
    }
  });

  it('sorts names by UTF-8 bytes, with or without code units above U+D800', () => {
    const expected = [...samples].sort((a, b) => compareBytes(encoder.encode(a), encoder.encode(b)));
    expect(sortLabelNames([...samples].reverse())).toEqual(expected);
    expect(sortLabelNames(['team', 'alertname', 'severity', 'job'])).toEqual(['alertname', 'job', 'severity', 'team']);
    const many = Array.from({ length: 40 }, (_, i) => `label_${(i * 7919) % 40}`);
    expect(sortLabelNames([...many])).toEqual([...many].sort());
  });
});
