import { asTable, formatBytes, formatDuration, isActive, prettyPreview, shortSha, statusLabel } from './format';

describe('studio formatting', () => {
  it('formats durations for humans', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });

  it('shortens commit SHAs only', () => {
    expect(shortSha('a3f9c0d1e2b3a4c5d6e7f8091a2b3c4d5e6f7a8b')).toBe('a3f9c0d');
    expect(shortSha('working-tree')).toBe('working-tree');
  });

  it('labels statuses and knows which are still going', () => {
    expect(statusLabel('timed_out')).toBe('Timed out');
    expect(isActive('queued')).toBe(true);
    expect(isActive('running')).toBe(true);
    expect(isActive('failed')).toBe(false);
  });

  it('formats sizes in bytes, KiB and MiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024)).toBe('256.0 KiB');
    expect(formatBytes(1024 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(-1)).toBe('—');
  });

  it('pretty-prints a step output that parses and leaves a cut one as it is', () => {
    expect(prettyPreview('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyPreview('"drained"')).toBe('"drained"');
    expect(prettyPreview('42')).toBe('42');
    expect(prettyPreview('{"a":"xxxx…')).toBe('{"a":"xxxx…');
  });

  it('reads an array of flat objects as a table, and nothing else', () => {
    expect(asTable([{ path: '/var', bytes: 10 }, { path: '/tmp', owner: null, ok: true }])).toEqual({
      columns: ['path', 'bytes', 'owner', 'ok'],
      rows: [{ path: '/var', bytes: 10 }, { path: '/tmp', owner: null, ok: true }],
    });
    expect(asTable([])).toBeNull();
    expect(asTable([{}])).toBeNull();
    expect(asTable({ path: '/var' })).toBeNull();
    expect(asTable([{ path: '/var', sizes: [1, 2] }])).toBeNull();
    expect(asTable([{ a: 1 }, 2])).toBeNull();
    expect(asTable([[1, 2]])).toBeNull();
    const evil = asTable(JSON.parse('[{"__proto__":"x","a":1}]'));
    expect(evil?.columns).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(evil?.rows[0])).toBe(Object.prototype);
  });
});
