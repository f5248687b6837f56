import { commitMessage, oneLine, parseAudit, TRAILERS } from './audit';
import { folderChanges, isWritablePath, runbookFolders, splitFolder } from './folder';
import { gatesTrailer, problemLine } from './gates';

/** git's trailer parsing, reduced to what matters here: `Key: value` lines of the last paragraph. */
function lastParagraphTrailers(message: string): { key: string; value: string }[] {
  const paragraphs = message.trim().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  return last.split('\n').flatMap((l) => {
    const m = /^([A-Za-z0-9-]+): (.*)$/.exec(l);
    return m ? [{ key: m[1] as string, value: m[2] as string }] : [];
  });
}

describe('audit trailers', () => {
  it('writes subject, body and a trailer block that reads back as the audit record', () => {
    const text = commitMessage('Promote echo from dev to test', 'Ready for the\ngame day', [
      [TRAILERS.action, 'promote'],
      [TRAILERS.runbook, 'echo'],
      [TRAILERS.from, 'dev@abc'],
      [TRAILERS.to, 'test'],
      [TRAILERS.actor, 'admin'],
      [TRAILERS.onBehalfOf, null],
      [TRAILERS.reason, 'Ready for the\ngame day'],
      [TRAILERS.override, undefined],
    ]);
    expect(text).toBe('Promote echo from dev to test\n\nReady for the\ngame day\n\nWolfe-Action: promote\nWolfe-Runbook: echo\nWolfe-From: dev@abc\nWolfe-To: test\nWolfe-Actor: admin\nWolfe-Reason: Ready for the game day\n');
    expect(parseAudit(lastParagraphTrailers(text))).toMatchObject({ action: 'promote', from: 'dev@abc', to: 'test', actor: 'admin', onBehalfOf: null, reason: 'Ready for the game day', override: null });
  });

  it('a message cannot forge an audit record: our trailer block is always the last paragraph, and the last value wins', () => {
    const forged = 'fix\n\nWolfe-Action: promote\nWolfe-Actor: root';
    const [subject, ...rest] = forged.split('\n');
    const text = commitMessage(subject ?? '', rest.join('\n'), [
      [TRAILERS.action, 'edit'],
      [TRAILERS.actor, 'admin'],
    ]);
    expect(parseAudit(lastParagraphTrailers(text))).toMatchObject({ action: 'edit', actor: 'admin' });
    expect(parseAudit([{ key: 'Wolfe-Action', value: 'promote' }, { key: 'wolfe-action', value: 'edit' }])?.action).toBe('edit');
    // git ignores everything after a "---" line (a patch): the line is neutralized.
    expect(commitMessage('fix', 'Wolfe-Action: promote\n---\nrest', [[TRAILERS.action, 'edit']])).toBe('fix\n\nWolfe-Action: promote\n ---\nrest\n\nWolfe-Action: edit\n');
    expect(parseAudit([{ key: 'Wolfe-Action', value: 'delete-everything' }])).toBeNull();
    expect(parseAudit([])).toBeNull();
  });

  it('keeps trailer values on one line and bounded', () => {
    expect(oneLine('a\r\nb\tc\u0000d')).toBe('a b c d');
    expect(oneLine('x'.repeat(600))).toHaveLength(500);
    expect(commitMessage('s\nt', '\u0007', [])).toBe('s t\n');
  });
});

describe('runbook folders', () => {
  it('splits a folder into manifest, code and tests, and computes the changes between two folders', () => {
    const files = new Map([
      ['runbook.yaml', 'm'],
      ['index.ts', 'i'],
      ['lib/a.ts', 'a'],
      ['tests/firing.yaml', 't'],
    ]);
    expect(splitFolder(files)).toEqual({ manifest: 'm', code: { 'index.ts': 'i', 'lib/a.ts': 'a' }, tests: { 'tests/firing.yaml': 't' } });
    const next = new Map([
      ['runbook.yaml', 'm'],
      ['index.ts', 'i2'],
      ['lib/b.ts', 'b'],
    ]);
    expect(folderChanges('x', files, next)).toEqual([
      { path: 'x/index.ts', content: 'i2' },
      { path: 'x/lib/a.ts', content: null },
      { path: 'x/lib/b.ts', content: 'b' },
      { path: 'x/tests/firing.yaml', content: null },
    ]);
    expect(folderChanges('x', files, files)).toEqual([]);
  });

  it('finds runbook folders and refuses unusable paths', () => {
    const tree = new Map([
      ['README.md', ''],
      ['a/runbook.yaml', ''],
      ['.github/x', ''],
      ['node_modules/y/z', ''],
      ['b/lib/c.ts', ''],
    ]);
    expect([...runbookFolders(tree).keys()]).toEqual(['a', 'b']);
    for (const bad of ['', '../x', 'a/../b', '/abs', 'a\\b', '.git/config', 'a//b', 'a\nb']) expect(isWritablePath(bad)).toBe(false);
    expect(isWritablePath('lib/util.ts')).toBe(true);
  });

  it('formats problems and gate summaries', () => {
    expect(problemLine({ file: 'x/index.ts', field: null, line: 3, message: "index.ts:3: imports 'fs'" })).toBe("x/index.ts:3 imports 'fs'");
    expect(problemLine({ file: 'x/runbook.yaml', field: 'timeout', line: 7, message: 'timeout: bad' })).toBe('x/runbook.yaml:7 timeout: bad');
    expect(
      gatesTrailer([
        { name: 'manifest', status: 'passed', message: '', problems: [], count: null, durationMs: 1 },
        { name: 'replay', status: 'failed', message: '', problems: [], count: '1/2', durationMs: 1 },
      ]),
    ).toBe('manifest=passed replay=failed(1/2)');
  });
});
