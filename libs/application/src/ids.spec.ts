import { isId, newId } from './ids';

describe('newId (UUIDv7)', () => {
  it('is a version-7, variant-1 UUID', () => {
    const id = newId(1_700_000_000_000);
    expect(isId(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('encodes the millisecond timestamp in the first 48 bits', () => {
    const ms = Date.UTC(2030, 0, 1);
    const id = newId(ms);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
  });

  it('sorts in creation order, even within one millisecond and when the clock steps back', () => {
    const ids: string[] = [];
    const base = Date.UTC(2031, 5, 1);
    for (let i = 0; i < 5000; i++) ids.push(newId(base));
    ids.push(newId(base - 10_000)); // clock went backwards
    ids.push(newId(base + 5));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
