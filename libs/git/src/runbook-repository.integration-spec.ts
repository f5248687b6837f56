import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, RefNotFoundError, RepositoryLockedError, StaleHeadError } from './errors';
import { MAX_FILE_BYTES, RunbookRepository, type RepositoryWarning } from './runbook-repository';

const BRANCHES = ['dev', 'test', 'prod'] as const;
const ALICE = { name: 'Alice Example', email: 'alice@example.com' };

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'wolfe-git-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Plain git, for checking what RunbookRepository wrote (independently of it). */
function git(repo: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return execFileSync('git', args, { env: { ...env, GIT_DIR: repo, GIT_CONFIG_NOSYSTEM: '1' }, encoding: 'utf8' }).trim();
}

async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const manifest = (name: string): string => `name: ${name}\ndescription: ${name}\nowner: team\n`;

async function seedFolder(): Promise<string> {
  const root = join(tmp, 'runbooks');
  await writeFiles(root, {
    'README.md': '# Runbooks\n',
    'disk-cleanup/runbook.yaml': manifest('disk-cleanup'),
    'disk-cleanup/index.ts': 'export default async function run() { return "ok"; }\n',
    'disk-cleanup/lib/util.ts': 'export const ünïcode = "✓";\n',
    'disk-cleanup/node_modules/left-pad/index.js': 'module.exports = 1;\n',
    'node_modules/x/index.js': '1\n',
    '.env': 'SECRET=1\n',
    '.git/config': '[core]\n',
    'disk-cleanup/.cache/x': 'cache\n',
    'restart/runbook.yaml': manifest('restart'),
    'restart/index.ts': 'export default async function run() {}\n',
    'restart/run.sh': '#!/bin/sh\necho hi\n',
  });
  await chmod(join(root, 'restart/run.sh'), 0o755);
  return root;
}

async function openSeeded(extra: { onWarning?: (w: RepositoryWarning) => void } = {}): Promise<{ repo: RunbookRepository; path: string; seed: string }> {
  const seed = await seedFolder();
  const path = join(tmp, 'data', 'repos', 'default.git');
  const repo = await RunbookRepository.open({ path, seedFrom: seed, branches: BRANCHES, ...extra });
  return { repo, path, seed };
}

describe('RunbookRepository.open', () => {
  it('creates a bare repository and seeds every branch with the same first commit', async () => {
    const { repo, path, seed } = await openSeeded();

    expect(git(path, 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(git(path, 'symbolic-ref', 'HEAD')).toBe('refs/heads/dev');
    expect(await repo.branches()).toEqual(['dev', 'prod', 'test']);

    const heads = await Promise.all(BRANCHES.map((b) => repo.head(b)));
    expect(heads[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(heads).size).toBe(1);
    expect(git(path, 'rev-list', '--count', 'dev')).toBe('1');
    expect(git(path, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', 'dev')).toBe(`Wolfe <wolfe@localhost>|Wolfe <wolfe@localhost>|Seed runbooks from ${seed}`);
  });

  it('commits the folder without node_modules and dotfiles, keeping the executable bit', async () => {
    const { repo, path } = await openSeeded();
    const files = await repo.readTree('dev');
    expect([...files.keys()].sort()).toEqual([
      'README.md',
      'disk-cleanup/index.ts',
      'disk-cleanup/lib/util.ts',
      'disk-cleanup/runbook.yaml',
      'restart/index.ts',
      'restart/run.sh',
      'restart/runbook.yaml',
    ]);
    expect(files.get('disk-cleanup/runbook.yaml')).toBe(manifest('disk-cleanup'));
    expect(files.get('disk-cleanup/lib/util.ts')).toBe('export const ünïcode = "✓";\n');
    expect(git(path, 'ls-tree', 'dev', 'restart/run.sh').split(/\s/)[0]).toBe('100755');
    expect(git(path, 'ls-tree', 'dev', 'restart/index.ts').split(/\s/)[0]).toBe('100644');
  });

  it('does not seed again when re-opened, even if the folder changed', async () => {
    const { repo, path, seed } = await openSeeded();
    const first = await repo.head('dev');
    const second = await repo.commitFiles('dev', [{ path: 'a/index.ts', content: 'x' }], { message: 'add a', author: ALICE });
    await writeFile(join(seed, 'new-file.ts'), 'new');

    const again = await RunbookRepository.open({ path, seedFrom: seed, branches: BRANCHES });
    expect(await again.head('dev')).toBe(second);
    expect(await again.head('prod')).toBe(first);
    expect((await again.readTree('prod')).has('new-file.ts')).toBe(false);
    expect(git(path, 'rev-list', '--count', '--all')).toBe('2');
  });

  it('leaves a repository without seedFrom empty: no branches, head() throws, commitFiles creates the branch', async () => {
    const path = join(tmp, 'empty.git');
    const repo = await RunbookRepository.open({ path, branches: BRANCHES });
    expect(await repo.branches()).toEqual([]);
    await expect(repo.head('dev')).rejects.toBeInstanceOf(RefNotFoundError);
    const sha = await repo.commitFiles('dev', [{ path: 'a/index.ts', content: 'x' }], { message: 'first', author: ALICE, expectedHead: null });
    expect(await repo.head('dev')).toBe(sha);
    expect(git(path, 'rev-list', '--count', 'dev')).toBe('1');
  });

  it('seeds an empty folder with an empty tree', async () => {
    await mkdir(join(tmp, 'nothing'));
    const repo = await RunbookRepository.open({ path: join(tmp, 'r.git'), seedFrom: join(tmp, 'nothing'), branches: ['main'] });
    expect((await repo.readTree('main')).size).toBe(0);
  });

  it('uses the given author for the seed and as committer', async () => {
    const seed = await seedFolder();
    const path = join(tmp, 'r.git');
    const repo = await RunbookRepository.open({ path, seedFrom: seed, branches: ['dev'], author: { name: 'Ops Bot', email: 'ops@example.com' } });
    await repo.commitFiles('dev', [{ path: 'x/index.ts', content: '1' }], { message: 'm', author: ALICE });
    expect(git(path, 'log', '--format=%an|%cn', 'dev')).toBe('Alice Example|Ops Bot\nOps Bot|Ops Bot');
  });

  it('refuses a folder that is not a bare repository, and a missing seed folder', async () => {
    await writeFiles(join(tmp, 'notarepo'), { 'file.txt': 'x' });
    await expect(RunbookRepository.open({ path: join(tmp, 'notarepo'), branches: ['dev'] })).rejects.toThrow('is not a bare git repository');
    await expect(RunbookRepository.open({ path: join(tmp, 'r.git'), seedFrom: join(tmp, 'missing'), branches: ['dev'] })).rejects.toThrow('not a folder');
    await expect(RunbookRepository.open({ path: join(tmp, 'r2.git'), branches: ['-x'] })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(RunbookRepository.open({ path: join(tmp, 'r3.git'), branches: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('works without any git config and ignores GIT_* variables of the environment', async () => {
    const saved = { ...process.env };
    const home = join(tmp, 'home');
    await mkdir(home);
    Object.assign(process.env, {
      HOME: home,
      XDG_CONFIG_HOME: home,
      GIT_DIR: join(tmp, 'elsewhere'),
      GIT_AUTHOR_NAME: 'Ambient',
      GIT_COMMITTER_NAME: 'Ambient',
      GIT_INDEX_FILE: join(tmp, 'ambient-index'),
    });
    try {
      const { repo, path } = await openSeeded();
      await repo.commitFiles('dev', [{ path: 'x/index.ts', content: '1' }], { message: 'm', author: ALICE });
      process.env = saved;
      expect(git(path, 'log', '--format=%an|%cn', 'dev')).toBe('Alice Example|Wolfe\nWolfe|Wolfe');
    } finally {
      process.env = saved;
    }
  });
});

describe('RunbookRepository.readTree', () => {
  it('reads a branch or a commit, and reports unknown refs', async () => {
    const { repo } = await openSeeded();
    const seedSha = await repo.head('dev');
    await repo.commitFiles('dev', [{ path: 'README.md', content: 'changed' }], { message: 'm', author: ALICE });

    expect((await repo.readTree('dev')).get('README.md')).toBe('changed');
    expect((await repo.readTree(seedSha)).get('README.md')).toBe('# Runbooks\n');
    expect((await repo.readTree(seedSha.slice(0, 10))).get('README.md')).toBe('# Runbooks\n');
    const snap = await repo.snapshot('prod');
    expect(snap.commit).toBe(seedSha);
    expect(snap.warnings).toEqual([]);

    for (const bad of ['nope', 'deadbeefdeadbeef', '--all', 'dev~1', 'dev:README.md', '../dev']) {
      await expect(repo.readTree(bad)).rejects.toBeInstanceOf(RefNotFoundError);
    }
  });

  it('skips files over 1 MiB, non-UTF-8 files and symlinks, with warnings', async () => {
    const seed = join(tmp, 'seed');
    await writeFiles(seed, {
      'a/index.ts': 'ok',
      'a/big.json': 'x'.repeat(MAX_FILE_BYTES + 1),
      'a/limit.txt': 'y'.repeat(MAX_FILE_BYTES),
      'a/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]),
    });
    await symlink('index.ts', join(seed, 'a/link.ts'));
    const warnings: RepositoryWarning[] = [];
    const repo = await RunbookRepository.open({ path: join(tmp, 'r.git'), seedFrom: seed, branches: ['dev'], onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => [w.kind, w.path])).toEqual([['seed-file-skipped', 'a/link.ts']]);

    const snap = await repo.snapshot('dev');
    expect([...snap.files.keys()].sort()).toEqual(['a/index.ts', 'a/limit.txt']);
    expect(snap.files.get('a/limit.txt')?.length).toBe(MAX_FILE_BYTES);
    expect(snap.warnings.map((w) => [w.kind, w.path, w.commit])).toEqual([
      ['file-too-large', 'a/big.json', snap.commit],
      ['not-utf8', 'a/logo.png', snap.commit],
    ]);
    expect(repo.warnings().map((w) => w.kind)).toEqual(['seed-file-skipped', 'file-too-large', 'not-utf8']);
    expect(warnings).toHaveLength(3);
  });

  it('reads 50 runbooks with a constant number of git processes (timing logged)', async () => {
    const seed = join(tmp, 'many');
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      const name = `runbook-${String(i).padStart(2, '0')}`;
      files[`${name}/runbook.yaml`] = manifest(name);
      files[`${name}/index.ts`] = `export default async function run() { return ${i}; }\n`.repeat(20);
      files[`${name}/lib/helpers.ts`] = `export const n = ${i};\n`;
      files[`${name}/index.spec.ts`] = `test('x', () => {});\n`;
    }
    await writeFiles(seed, files);
    let t = performance.now();
    const repo = await RunbookRepository.open({ path: join(tmp, 'r.git'), seedFrom: seed, branches: BRANCHES });
    const seedMs = performance.now() - t;

    t = performance.now();
    const tree = await repo.readTree('dev');
    const readMs = performance.now() - t;
    expect(tree.size).toBe(200);
    expect(tree.get('runbook-42/lib/helpers.ts')).toBe('export const n = 42;\n');

    t = performance.now();
    await repo.commitFiles('dev', [{ path: 'runbook-07/index.ts', content: 'changed' }], { message: 'm', author: ALICE });
    const commitMs = performance.now() - t;
    console.log(`200 files / 50 runbooks: seed ${seedMs.toFixed(0)} ms, readTree ${readMs.toFixed(0)} ms, commitFiles ${commitMs.toFixed(0)} ms`);
    expect(readMs).toBeLessThan(2000);
  });
});

describe('RunbookRepository.commitFiles', () => {
  it('adds, modifies and deletes files on one branch and moves only its head', async () => {
    const { repo, path } = await openSeeded();
    const seedSha = await repo.head('dev');
    const sha = await repo.commitFiles(
      'dev',
      [
        { path: 'disk-cleanup/index.ts', content: 'export default async function run() { return "v2"; }\n' },
        { path: 'new-one/runbook.yaml', content: manifest('new-one') },
        { path: 'restart/index.ts', content: null },
        { path: 'does/not/exist.ts', content: null },
      ],
      { message: 'Update disk-cleanup\n\nand more', author: ALICE, expectedHead: seedSha },
    );
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sha).not.toBe(seedSha);
    expect(await repo.head('dev')).toBe(sha);
    expect(await repo.head('test')).toBe(seedSha);
    expect(await repo.head('prod')).toBe(seedSha);
    expect(git(path, 'rev-parse', `${sha}^`)).toBe(seedSha);
    expect(git(path, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', sha)).toBe('Alice Example <alice@example.com>|Wolfe <wolfe@localhost>|Update disk-cleanup\n\nand more');

    const files = await repo.readTree('dev');
    expect(files.get('disk-cleanup/index.ts')).toBe('export default async function run() { return "v2"; }\n');
    expect(files.get('new-one/runbook.yaml')).toBe(manifest('new-one'));
    expect(files.has('restart/index.ts')).toBe(false);
    expect(files.get('restart/runbook.yaml')).toBe(manifest('restart'));
    expect((await repo.readTree('prod')).has('restart/index.ts')).toBe(true);
    expect(git(path, 'ls-tree', 'dev', 'restart/run.sh').split(/\s/)[0]).toBe('100755');
  });

  it('keeps the executable bit of a modified file', async () => {
    const { repo, path } = await openSeeded();
    await repo.commitFiles('dev', [{ path: 'restart/run.sh', content: '#!/bin/sh\necho v2\n' }], { message: 'm', author: ALICE });
    expect(git(path, 'ls-tree', 'dev', 'restart/run.sh').split(/\s/)[0]).toBe('100755');
  });

  it('returns the current head and commits nothing when the tree does not change', async () => {
    const { repo, path } = await openSeeded();
    const head = await repo.head('dev');
    expect(await repo.commitFiles('dev', [{ path: 'README.md', content: '# Runbooks\n' }], { message: 'm', author: ALICE })).toBe(head);
    expect(await repo.commitFiles('dev', [], { message: 'm', author: ALICE })).toBe(head);
    expect(git(path, 'rev-list', '--count', '--all')).toBe('1');
  });

  it('throws StaleHeadError when the head moved since expectedHead, and commits nothing', async () => {
    const { repo, path } = await openSeeded();
    const seedSha = await repo.head('dev');
    const moved = await repo.commitFiles('dev', [{ path: 'a/index.ts', content: '1' }], { message: 'first', author: ALICE, expectedHead: seedSha });

    const stale = repo.commitFiles('dev', [{ path: 'a/index.ts', content: '2' }], { message: 'second', author: ALICE, expectedHead: seedSha });
    await expect(stale).rejects.toBeInstanceOf(StaleHeadError);
    await expect(stale).rejects.toMatchObject({ branch: 'dev', expected: seedSha, actual: moved });
    expect(await repo.head('dev')).toBe(moved);
    expect((await repo.readTree('dev')).get('a/index.ts')).toBe('1');

    await expect(repo.commitFiles('dev', [{ path: 'b', content: 'x' }], { message: 'm', author: ALICE, expectedHead: null })).rejects.toMatchObject({
      name: 'StaleHeadError',
      expected: null,
      actual: moved,
    });
    await expect(repo.commitFiles('nope', [{ path: 'b', content: 'x' }], { message: 'm', author: ALICE, expectedHead: seedSha })).rejects.toMatchObject({
      name: 'StaleHeadError',
      actual: null,
    });
    expect(git(path, 'rev-list', '--count', '--all')).toBe('2');
  });

  it('detects a head moved by another process between the read and the update (compare-and-swap)', async () => {
    const { repo, path } = await openSeeded();
    const seedSha = await repo.head('dev');
    // Another writer (outside this process, so the mutex does not see it) moves dev.
    const other = await repo.commitFiles('test', [{ path: 'other.ts', content: 'o' }], { message: 'o', author: ALICE });
    const hooked = repo as unknown as { branchHead(b: string): Promise<string | null> };
    const original = hooked.branchHead.bind(repo);
    let calls = 0;
    hooked.branchHead = async (b) => {
      const head = await original(b);
      if (calls++ === 0) git(path, 'update-ref', 'refs/heads/dev', other, seedSha);
      return head; // the stale value, as if the other writer moved dev right after our read
    };
    const attempt = repo.commitFiles('dev', [{ path: 'mine.ts', content: 'm' }], { message: 'm', author: ALICE });
    await expect(attempt).rejects.toMatchObject({ name: 'StaleHeadError', expected: seedSha, actual: other });
    hooked.branchHead = original;
    expect(await repo.head('dev')).toBe(other);
  });

  it('serializes concurrent commits on one branch: all land, in call order', async () => {
    const { repo, path } = await openSeeded();
    const seedSha = await repo.head('dev');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => repo.commitFiles('dev', [{ path: `concurrent/file-${i}.ts`, content: `${i}` }], { message: `commit ${i}`, author: ALICE })),
    );
    expect(new Set(results).size).toBe(8);
    expect(await repo.head('dev')).toBe(results[7]);
    // First-parent history, newest first: commit 7 … commit 0, then the seed.
    expect(git(path, 'log', '--format=%H %s', 'dev').split('\n')).toEqual([...results.map((sha, i) => `${sha} commit ${i}`).reverse(), `${seedSha} Seed runbooks from ${join(tmp, 'runbooks')}`]);
    const files = await repo.readTree('dev');
    for (let i = 0; i < 8; i++) expect(files.get(`concurrent/file-${i}.ts`)).toBe(`${i}`);
  });

  it('serializes across two instances opened on the same path', async () => {
    const { repo, path, seed } = await openSeeded();
    const twin = await RunbookRepository.open({ path, seedFrom: seed, branches: BRANCHES });
    const [a, b] = await Promise.all([
      repo.commitFiles('dev', [{ path: 'a.ts', content: 'a' }], { message: 'a', author: ALICE }),
      twin.commitFiles('dev', [{ path: 'b.ts', content: 'b' }], { message: 'b', author: ALICE }),
    ]);
    expect(git(path, 'rev-parse', `${b}^`)).toBe(a);
  });

  it('with the same expectedHead, the first concurrent commit wins and the second is stale', async () => {
    const { repo } = await openSeeded();
    const seedSha = await repo.head('dev');
    const [first, second] = await Promise.allSettled([
      repo.commitFiles('dev', [{ path: 'x.ts', content: '1' }], { message: '1', author: ALICE, expectedHead: seedSha }),
      repo.commitFiles('dev', [{ path: 'x.ts', content: '2' }], { message: '2', author: ALICE, expectedHead: seedSha }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(StaleHeadError);
  });

  it('refuses unusable branch names, paths, identities and messages before touching git', async () => {
    const { repo } = await openSeeded();
    const ok = { message: 'm', author: ALICE };
    const bad: [string, { path: string; content: string | null }[], typeof ok][] = [
      ['-dev', [{ path: 'a', content: 'x' }], ok],
      ['dev..x', [{ path: 'a', content: 'x' }], ok],
      ['dev.lock', [{ path: 'a', content: 'x' }], ok],
      ['dev', [{ path: '../escape', content: 'x' }], ok],
      ['dev', [{ path: '/abs', content: 'x' }], ok],
      ['dev', [{ path: 'a/./b', content: 'x' }], ok],
      ['dev', [{ path: '.git/config', content: 'x' }], ok],
      ['dev', [{ path: 'a/.GIT/hooks/x', content: 'x' }], ok],
      ['dev', [{ path: 'a\nb', content: 'x' }], ok],
      ['dev', [{ path: 'a\\b', content: 'x' }], ok],
      ['dev', [{ path: '', content: 'x' }], ok],
      ['dev', [{ path: 'a', content: 'x' }, { path: 'a', content: null }], ok],
      ['dev', [{ path: 'a', content: 'x' }], { message: '  ', author: ALICE }],
      ['dev', [{ path: 'a', content: 'x' }], { message: 'm', author: { name: 'Eve <eve@x>', email: 'e@x' } }],
      ['dev', [{ path: 'a', content: 'x' }], { message: 'm', author: { name: 'Eve', email: '' } }],
    ];
    for (const [branch, changes, options] of bad) {
      await expect(repo.commitFiles(branch, changes, options)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(repo.commitFiles('dev', [], { ...ok, expectedHead: 'HEAD' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await repo.head('dev')).toBe(await repo.head('prod'));
  });

  it('refuses a file where a folder is (and the reverse) without moving the branch', async () => {
    const { repo } = await openSeeded();
    const head = await repo.head('dev');
    await expect(repo.commitFiles('dev', [{ path: 'restart', content: 'x' }], { message: 'm', author: ALICE })).rejects.toThrow(
      'restart would be both a file and a folder',
    );
    await expect(repo.commitFiles('dev', [{ path: 'README.md/x.ts', content: 'x' }], { message: 'm', author: ALICE })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      repo.commitFiles(
        'dev',
        [
          { path: 'n/a', content: 'x' },
          { path: 'n/a/b', content: 'x' },
        ],
        { message: 'm', author: ALICE },
      ),
    ).rejects.toThrow('n/a would be both a file and a folder');
    expect(await repo.head('dev')).toBe(head);
    // Replacing the folder works when its files are deleted in the same commit.
    await repo.commitFiles(
      'dev',
      [
        { path: 'README.md', content: null },
        { path: 'README.md/x.ts', content: 'x' },
      ],
      { message: 'm', author: ALICE },
    );
    expect((await repo.readTree('dev')).get('README.md/x.ts')).toBe('x');
  });

  it('stores paths and messages that look like options or shell syntax verbatim', async () => {
    const { repo, path } = await openSeeded();
    const weird = ['-rf', '$(touch pwned)/index.ts', 'a b/`id`;.ts', "quote'\"/x.ts", 'ünï/çødé.ts'];
    const message = '--amend\n$(touch pwned) `id` ; rm -rf /';
    await repo.commitFiles('dev', weird.map((p) => ({ path: p, content: p })), { message, author: { name: '-c core.editor=x', email: '$(id)@x' } });
    const files = await repo.readTree('dev');
    for (const p of weird) expect(files.get(p)).toBe(p);
    expect(git(path, 'log', '-1', '--format=%B', 'dev')).toBe(message);
    expect(git(path, 'log', '-1', '--format=%an|%ae', 'dev')).toBe('-c core.editor=x|$(id)@x');
    await expect(stat(join(process.cwd(), 'pwned'))).rejects.toThrow();
  });

  it('leaves no temporary files in the repository', async () => {
    const { repo, path } = await openSeeded();
    await repo.commitFiles('dev', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE });
    expect((await readdir(path)).filter((e) => e.startsWith('wolfe-') || e.endsWith('.lock'))).toEqual([]);
  });
});

describe('RunbookRepository: crash recovery', () => {
  it('removes stale lock files on open, keeps fresh ones, and works again', async () => {
    const { repo, path, seed } = await openSeeded();
    const before = await repo.head('dev');
    const old = new Date(Date.now() - 60_000);
    const stale = [join(path, 'refs', 'heads', 'dev.lock'), join(path, 'packed-refs.lock'), join(path, 'HEAD.lock')];
    for (const f of stale) {
      await writeFile(f, '');
      await utimes(f, old, old);
    }
    await mkdir(join(path, 'wolfe-tmp-crashed'));
    await writeFile(join(path, 'wolfe-tmp-crashed', '0'), 'x');
    await utimes(join(path, 'wolfe-tmp-crashed'), old, old);
    const fresh = join(path, 'refs', 'heads', 'test.lock');
    await writeFile(fresh, '');

    // While the fresh test.lock is there, git cannot move test: a clear error, nothing moves.
    const testBefore = await repo.head('test');
    const locked = repo.commitFiles('test', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE });
    await expect(locked).rejects.toBeInstanceOf(RepositoryLockedError);
    await expect(locked).rejects.toMatchObject({ lock: 'refs/heads/test.lock' });
    expect(await repo.head('test')).toBe(testBefore);
    expect(await repo.head('dev')).toBe(before);

    const warnings: RepositoryWarning[] = [];
    const reopened = await RunbookRepository.open({ path, seedFrom: seed, branches: BRANCHES, onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.kind)).toEqual(['stale-lock-removed', 'stale-lock-removed', 'stale-lock-removed', 'stale-lock-removed']);
    expect(warnings.map((w) => w.path).sort()).toEqual([...stale, join(path, 'wolfe-tmp-crashed')].sort());
    for (const f of stale) await expect(stat(f)).rejects.toThrow();
    await expect(stat(fresh)).resolves.toBeTruthy(); // younger than staleLockMs: may belong to a running git

    const sha = await reopened.commitFiles('dev', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE });
    expect(await reopened.head('dev')).toBe(sha);
    // test.lock is fresh, so test stays locked until it is old enough.
    await expect(reopened.commitFiles('test', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE })).rejects.toThrow(/lock/);
    const afterAWhile = await RunbookRepository.open({ path, branches: BRANCHES, staleLockMs: 0 });
    await expect(afterAWhile.commitFiles('test', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE })).resolves.toMatch(/^[0-9a-f]{40}$/);
  });

  it('removes a stale lock met while running (a git killed after open) and commits; a fresh one is a RepositoryLockedError', async () => {
    const warnings: RepositoryWarning[] = [];
    const { repo, path } = await openSeeded({ onWarning: (w) => warnings.push(w) });
    const lock = join(path, 'refs', 'heads', 'dev.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const sha = await repo.commitFiles('dev', [{ path: 'a.ts', content: 'a' }], { message: 'm', author: ALICE });
    expect(await repo.head('dev')).toBe(sha);
    expect(warnings.map((w) => [w.kind, w.path])).toEqual([['stale-lock-removed', lock]]);
    await expect(stat(lock)).rejects.toThrow();

    await writeFile(lock, '');
    await expect(repo.commitFiles('dev', [{ path: 'b.ts', content: 'b' }], { message: 'm', author: ALICE })).rejects.toMatchObject({
      name: 'RepositoryLockedError',
      lock: 'refs/heads/dev.lock',
      message: expect.stringContaining('retry'),
    });
    expect(await repo.head('dev')).toBe(sha);
  });
});
