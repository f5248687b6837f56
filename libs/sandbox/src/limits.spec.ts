import { wrapScript } from './bootstrap';
import { formatBytes, formatDuration } from './limits';

describe('formatting limits for messages', () => {
  it.each([
    [30_000, '30s'],
    [1_500, '1.5s'],
    [250, '250ms'],
    [120_000, '2m'],
  ])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [1024 * 1024, '1 MiB'],
    [256 * 1024, '256 KiB'],
    [1000, '1000 bytes'],
  ])('formatBytes(%d) = %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('wrapScript', () => {
  it('adds exactly one line before the code (compiled with lineOffset -1)', () => {
    const wrapped = wrapScript('line1\nline2');
    expect(wrapped.split('\n').slice(1, 3)).toEqual(['line1', 'line2']);
  });
});
