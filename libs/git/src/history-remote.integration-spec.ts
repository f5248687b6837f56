import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, RefNotFoundError, RemoteError } from './errors';
import { RunbookRepository } from './runbook-repository';

const BRANCHES = ['dev', 'test', 'prod'] as const;
const ALICE = { name: 'Alice Example', email: 'alice@example.com' };
const BOB = { name: 'Bob Other', email: 'bob@example.com' };

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wolfe-git-hist-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Plain git with a clean environment (no ambient GIT_*, no user config), as "someone else" would run it. */
function git(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', args, {
    cwd,
    env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: BOB.name, GIT_AUTHOR_EMAIL: BOB.email, GIT_COMMITTER_NAME: BOB.name, GIT_COMMITTER_EMAIL: BOB.email },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function openSeeded(name = 'local.git'): Promise<RunbookRepository> {
  const seed = join(tmp, 'seed');
  await writeFiles(seed, {
    'README.md': '# Runbooks\n',
    'disk-cleanup/runbook.yaml': 'name: disk-cleanup\n',
    'disk-cleanup/index.ts': 'export default 1;\n',
    'restart/runbook.yaml': 'name: restart\n',
    'restart/index.ts': 'export default 2;\n',
  });
  return RunbookRepository.open({ path: join(tmp, name), seedFrom: seed, branches: BRANCHES });
}

describe('RunbookRepository.log', () => {
  it('lists commits newest first with author, date, message and trailers, optionally for one folder', async () => {
    const repo = await openSeeded();
    const seed = await repo.head('dev');
    const a = await repo.commitFiles('dev', [{ path: 'disk-cleanup/index.ts', content: 'export default 3;\n' }], {
      message: 'Tune disk-cleanup\n\nBecause the disk fills faster.\n\nWolfe-Action: edit\nWolfe-Actor: admin\nWolfe-Reason: a long reason\n  folded onto two lines',
      author: ALICE,
    });
    const b = await repo.commitFiles('dev', [{ path: 'restart/index.ts', content: 'export default 4;\n' }], { message: 'Touch restart', author: BOB });

    const all = await repo.log('dev', { limit: 10 });
    expect(all.map((c) => c.version)).toEqual([b, a, seed]);
    const [, first] = all;
    expect(first).toMatchObject({
      version: a,
      author: ALICE,
      committer: { name: 'Wolfe', email: 'wolfe@localhost' },
      subject: 'Tune disk-cleanup',
      trailers: [
        { key: 'Wolfe-Action', value: 'edit' },
        { key: 'Wolfe-Actor', value: 'admin' },
        { key: 'Wolfe-Reason', value: 'a long reason folded onto two lines' },
      ],
    });
    expect(first?.message).toContain('Because the disk fills faster.');
    expect(Date.parse(first?.date ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(all[0]?.trailers).toEqual([]);

    expect((await repo.log('dev', { path: 'disk-cleanup', limit: 10 })).map((c) => c.version)).toEqual([a, seed]);
    expect((await repo.log('dev', { path: 'restart', limit: 1 })).map((c) => c.version)).toEqual([b]);
    expect((await repo.log('dev', { limit: 1, skip: 1 })).map((c) => c.version)).toEqual([a]);
    expect((await repo.log(a.slice(0, 12), { limit: 5 })).map((c) => c.version)).toEqual([a, seed]);
    expect((await repo.log('prod', { path: 'disk-cleanup', limit: 5 })).map((c) => c.version)).toEqual([seed]);
    expect(await repo.log('dev', { path: 'no-such-folder', limit: 5 })).toEqual([]);
    // A folder name that is a prefix of another is not that other folder.
    expect(await repo.log('dev', { path: 'disk', limit: 5 })).toEqual([]);

    await expect(repo.log('nope', { limit: 1 })).rejects.toBeInstanceOf(RefNotFoundError);
    await expect(repo.log('dev', { limit: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(repo.log('dev', { limit: 1, path: '../x' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('RunbookRepository.diff, readFile, readTree(path), commitOf', () => {
  it('diffs two branches or commits, for the whole tree or one folder', async () => {
    const repo = await openSeeded();
    const seed = await repo.head('dev');
    await repo.commitFiles(
      'dev',
      [
        { path: 'disk-cleanup/index.ts', content: 'export default 3;\nexport const x = 1;\n' },
        { path: 'disk-cleanup/lib/new.ts', content: 'export const y = 2;\n' },
        { path: 'restart/runbook.yaml', content: null },
      ],
      { message: 'change', author: ALICE },
    );

    const folder = await repo.diff('prod', 'dev', { path: 'disk-cleanup' });
    expect(folder.from).toBe(seed);
    expect(folder.to).toBe(await repo.head('dev'));
    expect(folder.files).toEqual([
      { path: 'disk-cleanup/index.ts', status: 'modified', additions: 2, deletions: 1 },
      { path: 'disk-cleanup/lib/new.ts', status: 'added', additions: 1, deletions: 0 },
    ]);
    expect(folder.text).toContain('diff --git a/disk-cleanup/index.ts b/disk-cleanup/index.ts');
    expect(folder.text).toContain('-export default 1;\n+export default 3;\n+export const x = 1;');
    expect(folder.text).not.toContain('restart');

    const whole = await repo.diff(seed, 'dev');
    expect(whole.files.map((f) => [f.path, f.status])).toEqual([
      ['disk-cleanup/index.ts', 'modified'],
      ['disk-cleanup/lib/new.ts', 'added'],
      ['restart/runbook.yaml', 'deleted'],
    ]);
    const back = await repo.diff('dev', 'prod', { path: 'disk-cleanup' });
    expect(back.files.map((f) => f.status)).toEqual(['modified', 'deleted']);

    const same = await repo.diff('prod', 'test', { path: 'disk-cleanup' });
    expect(same).toEqual({ from: seed, to: seed, text: '', files: [] });
    expect((await repo.diff('prod', 'dev', { path: 'no-such' })).files).toEqual([]);
    await expect(repo.diff('prod', 'nope')).rejects.toBeInstanceOf(RefNotFoundError);
  });

  it('reads one file, one folder, and resolves refs', async () => {
    const repo = await openSeeded();
    const seed = await repo.head('prod');
    await repo.commitFiles('dev', [{ path: 'disk-cleanup/index.ts', content: 'v2' }], { message: 'm', author: ALICE });
    expect(await repo.readFile('dev', 'disk-cleanup/index.ts')).toBe('v2');
    expect(await repo.readFile('prod', 'disk-cleanup/index.ts')).toBe('export default 1;\n');
    expect(await repo.readFile(seed, 'disk-cleanup/runbook.yaml')).toBe('name: disk-cleanup\n');
    expect(await repo.readFile('dev', 'disk-cleanup/missing.ts')).toBeNull();
    expect(await repo.readFile('dev', 'disk-cleanup')).toBeNull();
    await expect(repo.readFile('dev', '../etc/passwd')).rejects.toBeInstanceOf(InvalidArgumentError);

    const folder = await repo.readTree('dev', { path: 'disk-cleanup' });
    expect([...folder.keys()].sort()).toEqual(['disk-cleanup/index.ts', 'disk-cleanup/runbook.yaml']);
    expect((await repo.readTree('dev', { path: 'disk' })).size).toBe(0);

    expect(await repo.commitOf('dev')).toBe(await repo.head('dev'));
    expect(await repo.commitOf(seed.slice(0, 8))).toBe(seed);
    expect(await repo.commitOf('nope')).toBeNull();
    expect(await repo.commitOf('0000000000000000000000000000000000000000')).toBeNull();
  });
});

describe('RunbookRepository remote: a local bare repository as origin', () => {
  async function bareRemote(): Promise<string> {
    const path = join(tmp, 'remote.git');
    await mkdir(path);
    git(path, 'init', '--bare', '--initial-branch=dev');
    return path;
  }

  it('pushes, takes someone else\'s push with fetch + fast-forward, and refuses to overwrite diverged work', async () => {
    const remote = await bareRemote();
    const repo = await openSeeded();
    await repo.bindRemote({ url: `file://${remote}` });
    expect(await repo.remoteUrl()).toBe(`file://${remote}`);
    for (const b of BRANCHES) expect(await repo.push(b)).toMatchObject({ branch: b, status: 'pushed', commit: await repo.head(b) });
    expect((await repo.push('dev')).status).toBe('up-to-date');
    expect(git(remote, 'rev-parse', 'dev')).toBe(await repo.head('dev'));

    // Someone else clones the remote, commits to dev and pushes.
    const work = join(tmp, 'someone');
    git(tmp, 'clone', '--quiet', '--branch', 'dev', `file://${remote}`, work);
    await writeFile(join(work, 'disk-cleanup', 'index.ts'), 'export default 42;\n');
    git(work, 'commit', '--quiet', '-am', 'Bob changes disk-cleanup\n\nWolfe-Reason: pushed from a laptop');
    git(work, 'push', '--quiet', 'origin', 'dev');
    const theirs = git(work, 'rev-parse', 'HEAD');

    const heads = await repo.fetch();
    expect(heads.get('dev')).toBe(theirs);
    expect(await repo.remoteHead('dev')).toBe(theirs);
    expect(await repo.head('dev')).not.toBe(theirs); // fetching moves no local branch
    expect(await repo.fastForward('dev')).toBe('fast-forward');
    expect(await repo.head('dev')).toBe(theirs);
    expect(await repo.readFile('dev', 'disk-cleanup/index.ts')).toBe('export default 42;\n');
    expect((await repo.log('dev', { limit: 1 }))[0]).toMatchObject({ author: BOB, trailers: [{ key: 'Wolfe-Reason', value: 'pushed from a laptop' }] });
    expect(await repo.fastForward('dev')).toBe('up-to-date');

    // We commit locally: ahead of the remote until pushed.
    const mine = await repo.commitFiles('dev', [{ path: 'restart/index.ts', content: 'mine' }], { message: 'mine', author: ALICE });
    expect(await repo.fastForward('dev')).toBe('ahead');
    // Meanwhile they push again: diverged. Nothing moves, the push is rejected (never forced).
    git(work, 'pull', '--quiet', '--ff-only');
    await writeFile(join(work, 'README.md'), 'theirs\n');
    git(work, 'commit', '--quiet', '-am', 'theirs again');
    git(work, 'push', '--quiet', 'origin', 'dev');
    await repo.fetch();
    expect(await repo.fastForward('dev')).toBe('diverged');
    expect(await repo.head('dev')).toBe(mine);
    const rejected = await repo.push('dev');
    expect(rejected).toMatchObject({ status: 'rejected', commit: mine });
    expect(rejected.reason).toMatch(/fetch first|non-fast-forward/);
    expect(git(remote, 'rev-parse', 'dev')).toBe(git(work, 'rev-parse', 'HEAD'));
  });

  it('clones a remote into a new bare repository, branches included', async () => {
    const remote = await bareRemote();
    const source = await openSeeded('source.git');
    await source.bindRemote({ url: remote });
    await source.push('dev');
    await source.push('prod');

    const { repo, missing } = await RunbookRepository.clone({ path: join(tmp, 'clone.git'), branches: BRANCHES, remote: { url: remote } });
    expect(missing).toEqual(['test']);
    expect(await repo.head('dev')).toBe(await source.head('dev'));
    expect(await repo.branches()).toEqual(['dev', 'prod']);
    expect((await repo.readTree('prod')).get('README.md')).toBe('# Runbooks\n');
  });

  it('refuses URLs with credentials or odd transports, and fetch without a bound remote', async () => {
    const repo = await openSeeded();
    for (const url of ['https://user:secret@example.com/r.git', 'https://tok@example.com/r.git', 'ext::sh -c touch% /tmp/pwned', '-uhack', 'ftp://example.com/r.git', 'a b']) {
      await expect(repo.bindRemote({ url })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(repo.bindRemote({ url: 'https://user:secret@example.com/r.git' })).rejects.not.toThrow(/secret/);
    await expect(repo.fetch()).rejects.toBeInstanceOf(RemoteError);
    await expect(repo.bindRemote({ url: 'https://example.com/r.git', auth: { kind: 'token', token: 'has space' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(repo.bindRemote({ url: 'git@example.com:org/r.git', auth: { kind: 'ssh', privateKeyPath: 'relative/key' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await repo.bindRemote({ url: 'ssh://git@example.com/org/r.git', auth: { kind: 'ssh', privateKeyPath: '/keys/id_ed25519', knownHostsPath: '/keys/known_hosts' } });
    expect(await repo.remoteUrl()).toBe('ssh://git@example.com/org/r.git');
  });
});

/**
 * Smart HTTP in front of a bare repository (git http-backend as a CGI) that demands
 * `Authorization: Basic base64(x-access-token:<token>)`, and records every Authorization header.
 */
async function httpGitServer(root: string, token: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const seen: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    seen.push(req.headers.authorization ?? '(none)');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="wolfe-test"' }).end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        REMOTE_USER: 'tester',
        REMOTE_ADDR: '127.0.0.1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      },
    });
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, end).toString('latin1').split('\r\n');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else if (k) headers[k] = v;
      }
      res.writeHead(status, headers).end(out.subarray(end + 4));
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('RunbookRepository remote over HTTP with a token', () => {
  it('sends the token as a header to git only: never in the config, `git remote -v`, argv or an error', async () => {
    const remoteRoot = join(tmp, 'served');
    await mkdir(join(remoteRoot, 'runbooks.git'), { recursive: true });
    git(join(remoteRoot, 'runbooks.git'), 'init', '--bare', '--initial-branch=dev');
    const token = `tok-${Math.random().toString(36).slice(2)}-secret`;
    const server = await httpGitServer(remoteRoot, token);
    try {
      const repo = await openSeeded();
      await repo.bindRemote({ url: `${server.url}/runbooks.git`, auth: { kind: 'token', token } });
      expect((await repo.push('dev')).status).toBe('pushed');
      expect(git(join(remoteRoot, 'runbooks.git'), 'rev-parse', 'dev')).toBe(await repo.head('dev'));
      expect((await repo.fetch()).get('dev')).toBe(await repo.head('dev'));
      expect(server.seen.filter((h) => h !== '(none)').length).toBeGreaterThan(0);

      const config = await readFile(join(repo.path, 'config'), 'utf8');
      const b64 = Buffer.from(`x-access-token:${token}`).toString('base64');
      for (const secret of [token, b64]) {
        expect(config).not.toContain(secret);
        expect(git(repo.path, 'remote', '-v')).not.toContain(secret);
      }
      expect(git(repo.path, 'remote', '-v')).toContain(`${server.url}/runbooks.git (fetch)`);

      // A wrong token: git's error reaches us without any credential in it.
      const wrong = `bad-${token}`;
      const other = await openSeeded('other.git');
      await other.bindRemote({ url: `${server.url}/runbooks.git`, auth: { kind: 'token', token: wrong } });
      const failure = await other.fetch().then(
        () => null,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(RemoteError);
      const message = (failure as Error).message;
      expect(message).toMatch(/fetch/);
      for (const secret of [wrong, Buffer.from(`x-access-token:${wrong}`).toString('base64')]) expect(message).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});
