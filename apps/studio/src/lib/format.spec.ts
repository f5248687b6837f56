import { formatDuration, isActive, shortSha, statusLabel } from './format';

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
});
