import { parseLog, parseRawNumstat, parseTrailerLines } from './history';
import { assertRemoteUrl, redact, redactUrl, remoteInvocation } from './remote';

describe('git output parsers', () => {
  it('parses log records, including a message that contains the field separator', () => {
    const rec = (sha: string, msg: string, trailers: string) => `\x1e${sha}\x1fAl\x1fal@x\x1f2026-11-21T14:00:00+00:00\x1fWolfe\x1fw@l\x1f${msg}\n\x1f${trailers}`;
    const out = `${rec('a'.repeat(40), 'Subject\n\nbody\n\nWolfe-Action: promote', 'Wolfe-Action: promote\n')}\n${rec('b'.repeat(40), 'odd \x1f message', '')}\n`;
    const commits = parseLog(out);
    expect(commits).toHaveLength(2);
    expect(commits[0]).toMatchObject({ version: 'a'.repeat(40), author: { name: 'Al', email: 'al@x' }, subject: 'Subject', trailers: [{ key: 'Wolfe-Action', value: 'promote' }] });
    expect(commits[1]?.message).toBe('odd \x1f message');
    expect(parseLog('')).toEqual([]);
  });

  it('parses trailers and ignores lines that are not trailers', () => {
    expect(parseTrailerLines('Wolfe-From: dev@abc\nnot a trailer\nSigned-off-by: A <a@x>\n')).toEqual([
      { key: 'Wolfe-From', value: 'dev@abc' },
      { key: 'Signed-off-by', value: 'A <a@x>' },
    ]);
  });

  it('parses raw + numstat output, binary files included', () => {
    const out = [':100644 100644 aaa bbb M', 'x/a.ts', ':000000 100644 000 ccc A', 'x/b.png', ':100644 000000 ddd 000 D', 'x/c.ts', '3\t1\tx/a.ts', '-\t-\tx/b.png', '0\t4\tx/c.ts', ''].join('\0');
    expect(parseRawNumstat(out)).toEqual([
      { path: 'x/a.ts', status: 'modified', additions: 3, deletions: 1 },
      { path: 'x/b.png', status: 'added', additions: null, deletions: null },
      { path: 'x/c.ts', status: 'deleted', additions: 0, deletions: 4 },
    ]);
  });
});

describe('remote URLs and credentials', () => {
  it('accepts the usual remote forms and refuses credentials in URLs', () => {
    for (const ok of ['https://github.com/org/runbooks.git', 'ssh://git@github.com/org/r.git', 'git@github.com:org/r.git', 'file:///srv/r.git', '/srv/r.git']) {
      expect(() => assertRemoteUrl(ok)).not.toThrow();
    }
    for (const bad of ['https://x:y@h/r.git', 'https://tok@h/r.git', 'ext::sh', '--upload-pack=x', 'ftp://h/r', 'h:r with space', 'fd::3']) {
      expect(() => assertRemoteUrl(bad)).toThrow();
    }
    expect(() => assertRemoteUrl('https://x:hunter2@h/r.git')).toThrow(/^(?!.*hunter2)/s);
  });

  it('redacts secrets, Authorization values and URL credentials', () => {
    expect(redactUrl('https://u:p@h/r.git')).toBe('https://***@h/r.git');
    expect(redactUrl('ssh://git@h/r.git')).toBe('ssh://git@h/r.git');
    expect(redact('Authorization: Basic QUJD and tok123 at https://a:b@h', ['tok123'])).toBe('Authorization: Basic *** and *** at https://***@h');
  });

  it('passes a token through the environment, named in argv only by its variable', () => {
    const inv = remoteInvocation({ kind: 'token', token: 'ghp_secret123' });
    expect(inv.args.join(' ')).not.toContain('ghp_secret123');
    expect(inv.args).toContain('--config-env=http.extraHeader=WOLFE_GIT_HTTP_AUTH_HEADER');
    expect(inv.env['WOLFE_GIT_HTTP_AUTH_HEADER']).toBe(`Authorization: Basic ${Buffer.from('x-access-token:ghp_secret123').toString('base64')}`);
    expect(remoteInvocation({ kind: 'token', token: 't', scheme: 'bearer' }).env['WOLFE_GIT_HTTP_AUTH_HEADER']).toBe('Authorization: Bearer t');
    expect(inv.secrets).toContain('ghp_secret123');
  });

  it('builds a strict, quoted ssh command for a key', () => {
    const inv = remoteInvocation({ kind: 'ssh', privateKeyPath: "/keys/it's key", knownHostsPath: '/keys/known_hosts' });
    expect(inv.env['GIT_SSH_COMMAND']).toBe(`ssh -i '/keys/it'\\''s key' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile='/keys/known_hosts'`);
    expect(inv.unsafe.allowUnsafeSshCommand).toBe(true);
    expect(() => remoteInvocation({ kind: 'ssh', privateKeyPath: 'id_rsa' })).toThrow(/absolute/);
  });
});
