import { mapStack, parseSourceMap } from './stack';

// index.js line 1 → index.ts line 1, line 2 → index.ts line 3 (column 2), line 3 → wolfe:sdk line 1.
const MAP = JSON.stringify({ version: 3, sources: ['index.ts', 'wolfe:sdk'], names: [], mappings: 'AAAA;AAEE;ACEF' });

describe('mapStack', () => {
  const map = parseSourceMap(MAP);

  it('maps frames of the runbook script to its TypeScript and drops every other frame', () => {
    const stack = [
      'Error: boom',
      '    at inner (team/rb/index.js:2:1)',
      '    at team/rb/index.js:1:1',
      '    at runbook (team/rb/index.js:3:1)',
      '    at start (wolfe:bootstrap:10:3)',
      '    at eval (eval at handler (team/rb/index.js:2:1), <anonymous>:1:1)',
      '    at Object.<anonymous> (/work/main/node_modules/x/index.js:1:1)',
    ].join('\n');
    expect(mapStack(stack, 'team/rb/index.js', map)).toEqual({
      frames: ['inner (index.ts:3:3)', 'index.ts:1:1'],
      location: { file: 'index.ts', line: 3, column: 3 },
    });
  });

  it('has no location without frames in the runbook', () => {
    expect(mapStack('TypeError: x\n    at start (wolfe:bootstrap:1:1)', 'team/rb/index.js', map)).toEqual({ frames: [], location: null });
    expect(mapStack(null, 'team/rb/index.js', map)).toEqual({ frames: [], location: null });
  });

  it('survives a broken source map', () => {
    expect(parseSourceMap('{not json')).toBeNull();
    expect(mapStack('Error\n    at team/rb/index.js:1:1', 'team/rb/index.js', null)).toEqual({ frames: [], location: null });
  });
});
