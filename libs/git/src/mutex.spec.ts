import { KeyedMutex } from './mutex';

const tick = (ms = 1): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('KeyedMutex', () => {
  it('runs callers on one key one at a time, in call order', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    let inside = 0;
    const job = (id: string, ms: number) =>
      m.run('repo', async () => {
        inside++;
        expect(inside).toBe(1);
        log.push(`start ${id}`);
        await tick(ms);
        log.push(`end ${id}`);
        inside--;
        return id;
      });
    const results = await Promise.all([job('a', 10), job('b', 1), job('c', 5)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(m.size).toBe(0);
  });

  it('releases the lock when a caller fails', async () => {
    const m = new KeyedMutex();
    const failing = m.run('k', async () => {
      await tick();
      throw new Error('boom');
    });
    const next = m.run('k', async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    expect(m.size).toBe(0);
  });

  it('does not serialize different keys', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    let releaseA!: () => void;
    const a = m.run('a', () => new Promise<void>((r) => (releaseA = r)).then(() => log.push('a')));
    await m.run('b', async () => log.push('b'));
    releaseA();
    await a;
    expect(log).toEqual(['b', 'a']);
  });
});
