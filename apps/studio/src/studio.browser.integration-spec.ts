// The Studio in a real browser (Chromium via playwright-core) against the real Wolfe
// server (sqlite, git, isolated-vm), which serves the built static export from
// dist/apps/studio. Screenshots for humans land in tmp/studio/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The signature of apps/server/src/testing/test-server.ts. */
interface TestServer {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  close(): Promise<void>;
}
type StartTestServer = (options?: { env?: Record<string, string> }) => Promise<TestServer>;

const ROOT = resolve(__dirname, '../../..');
const STUDIO_DIR = resolve(ROOT, 'dist/apps/studio');
const SHOTS = resolve(ROOT, 'tmp/studio');
const CHROMIUM = '/usr/bin/chromium';

/**
 * The server is loaded at run time rather than imported: this test needs a running
 * server, not its code, and a static import would put `studio (type:ui) -> server
 * (type:app)` into the project graph, which the module boundaries rightly forbid.
 */
async function loadStartTestServer(): Promise<StartTestServer> {
  const modulePath = resolve(ROOT, 'apps/server/src/testing/test-server');
  const mod = (await import(modulePath)) as { startTestServer: StartTestServer };
  return mod.startTestServer;
}

const ALERT = JSON.stringify({
  version: '4',
  groupKey: '{}:{alertname="DiskAlmostFull"}',
  status: 'firing',
  receiver: 'wolfe',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://am',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskAlmostFull', severity: 'warning', instance: 'db-1' },
      annotations: { summary: 'disk' },
      startsAt: '2026-11-21T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom',
      fingerprint: 'abc',
    },
  ],
});

jest.setTimeout(180_000);

describe('Wolfe Studio in Chromium against the real server', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${server.token}`, ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/ensure-system-deps.sh does it)`);
    if (!existsSync(resolve(STUDIO_DIR, 'index.html'))) {
      // `npm test` builds everything first; a lone run of this file builds the Studio itself.
      execFileSync('npx', ['nx', 'run', 'studio:build', '--output-style=static'], { cwd: ROOT, stdio: 'inherit' });
    }
    mkdirSync(SHOTS, { recursive: true });
    const startTestServer = await loadStartTestServer();
    server = await startTestServer({ env: { WOLFE_STUDIO_DIR: STUDIO_DIR } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('request', (req) => {
      if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) foreignRequests.push(req.url());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(() => {
    // Everything comes from the Wolfe server itself, and nothing throws in the page.
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows the token gate, refuses a wrong token and accepts the admin token', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Wolfe Studio' }).waitFor();
    const input = page.getByLabel('Admin token');

    await input.fill('definitely-not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // (Next's route announcer is an empty role=alert too, hence the filter.)
    const error = page.getByRole('alert').filter({ hasText: 'rejected' });
    await error.waitFor();
    expect(await error.textContent()).toContain('That token was rejected (401)');
    expect(await page.evaluate(() => window.localStorage.getItem('wolfe.adminToken'))).toBeNull();
    await shot('01-token-gate-wrong-token');

    await input.fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Executions' }).waitFor();
    await page.getByText('No executions yet').waitFor();
    expect(await page.evaluate(() => window.localStorage.getItem('wolfe.adminToken'))).toBe(server.token);
  });

  it('lists the execution an Alertmanager alert starts, live until it succeeds, and opens its logs', async () => {
    const res = await api('/api/v1/events/alertmanager', { method: 'POST', body: ALERT, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);

    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.locator('tr[data-execution-id]').first();
    await row.waitFor();
    expect(await row.getByRole('link').textContent()).toBe('disk-cleanup');
    // Auto-refresh (every 2 s while queued/running) turns the badge green without a reload.
    await row.locator('[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    const cells = await row.locator('td').allTextContents();
    expect(cells[2]).toBe('prod');
    expect(cells[3]).toMatch(/^[0-9a-f]{7}$/);
    expect(cells[5]).toMatch(/\d/);
    await shot('02-executions');

    const listed = (await (await api('/api/v1/executions')).json()) as PageDto<ExecutionSummaryDto>;
    const id = listed.items[0]?.id;
    expect(await row.getAttribute('data-execution-id')).toBe(id);

    // A click anywhere on the row opens the execution.
    await row.locator('td').nth(4).click();
    await page.waitForURL(`**/execution/?id=${id}`);
    await page.getByRole('heading', { name: /disk-cleanup/ }).waitFor();
    const logs = page.getByRole('table', { name: /Logs/ });
    await logs.waitFor();
    const logText = await logs.textContent();
    expect(logText).toContain('disk almost full');
    expect(logText).toContain('cleanup plan');
    expect(logText).toContain('"instance":"db-1"');
    expect(await page.getByRole('list', { name: 'Labels' }).textContent()).toContain('alertname=DiskAlmostFull');
    expect(await page.getByLabel('Result JSON').textContent()).toContain('"instance": "db-1"');
    await shot('03-execution-detail');
  });

  it('filters executions through the URL', async () => {
    await page.goto(`${server.url}/?runbook=no-such-runbook`);
    await page.getByText('No executions match these filters.').waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.waitForURL(/status=succeeded/);
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.locator('tr[data-execution-id]').first().waitFor();
  });

  it('lists the runbooks of each environment', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runbooks' }).click();
    await page.getByRole('heading', { name: 'Runbooks' }).waitFor();
    const table = page.getByRole('table', { name: 'Runbooks in prod' });
    await table.waitFor();
    expect(await table.textContent()).toContain('disk-cleanup');
    expect(await table.textContent()).toContain('team-storage');
    await shot('04-runbooks');

    await page.getByRole('navigation', { name: 'Environment' }).getByRole('link', { name: 'dev' }).click();
    await page.getByRole('table', { name: 'Runbooks in dev' }).waitFor();
  });

  it('works at 800 px wide', async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    await page.goto(`${server.url}/`);
    await page.locator('tr[data-execution-id]').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('05-executions-800px');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('brings the gate back with a message when the stored token stops working, and signs out', async () => {
    await page.evaluate(() => window.localStorage.setItem('wolfe.adminToken', 'revoked-token'));
    await page.goto(`${server.url}/runbooks/`);
    const alert = page.getByRole('alert').filter({ hasText: 'rejected' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('rejected the admin token (401)');
    await shot('06-token-gate-401');

    await page.getByLabel('Admin token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Runbooks' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Wolfe Studio' }).waitFor();
    expect(await page.evaluate(() => window.localStorage.getItem('wolfe.adminToken'))).toBeNull();
  });
});

const LARGEST = [
  { path: '/var/log', bytes: 1_200_000, owner: 'syslog' },
  { path: '/var/cache/apt', bytes: 800_000, owner: 'root' },
  { path: '/var/lib/ünï ✓', bytes: 10, owner: null },
];

/** Steps that succeed, one that fails (caught), a slow one (seen running), and two attachments. */
const NOTEBOOK = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  const usage = await ctx.step('measure disk', () => ({ mount: '/var', freePercent: 3.5 }));
  ctx.attach('largest directories', ${JSON.stringify(LARGEST)});
  ctx.attach('disk usage', { mount: usage.mount, history: [[0, 80], [60, 96.5]] });
  try {
    await ctx.step('page the owner', () => {
      throw new RangeError('pager is down');
    });
  } catch {
    ctx.log.warn('paging failed; going on');
  }
  await ctx.step('wait for the disk to drain', async () => {
    await ctx.sleep(4000);
    return 'drained';
  });
  return { freed: 1200000 };
});
`;

describe('Wolfe Studio: the steps and attachments of an execution', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let seedDir: string;
  let downloads: string;
  const pageErrors: string[] = [];
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!existsSync(resolve(STUDIO_DIR, 'index.html'))) {
      execFileSync('npx', ['nx', 'run', 'studio:build', '--output-style=static'], { cwd: ROOT, stdio: 'inherit' });
    }
    mkdirSync(SHOTS, { recursive: true });
    seedDir = mkdtempSync(join(tmpdir(), 'wolfe-studio-seed-'));
    downloads = mkdtempSync(join(tmpdir(), 'wolfe-studio-downloads-'));
    mkdirSync(join(seedDir, 'notebook'));
    writeFileSync(
      join(seedDir, 'notebook', 'runbook.yaml'),
      "name: notebook\ndescription: steps and attachments\nowner: tests\ntriggers:\n  - match: 'alertname=\"DiskAlmostFull\"'\n",
    );
    writeFileSync(join(seedDir, 'notebook', 'index.ts'), NOTEBOOK);
    const startTestServer = await loadStartTestServer();
    server = await startTestServer({ env: { WOLFE_STUDIO_DIR: STUDIO_DIR, WOLFE_SEED_DIR: seedDir } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.addInitScript((token: string) => window.localStorage.setItem('wolfe.adminToken', token), server.token);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(seedDir, { recursive: true, force: true });
    rmSync(downloads, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('shows the steps as a live notebook, and each attachment as a table or JSON, and downloads it', async () => {
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const res = await fetch(`${server.url}/api/v1/events/alertmanager`, { method: 'POST', body: ALERT, headers });
    expect(res.status).toBe(202);
    let id = '';
    for (let i = 0; i < 100 && !id; i++) {
      const page1 = (await (await fetch(`${server.url}/api/v1/executions`, { headers })).json()) as PageDto<ExecutionSummaryDto>;
      id = page1.items[0]?.id ?? '';
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    expect(id).not.toBe('');

    await page.goto(`${server.url}/execution/?id=${id}`);
    const steps = page.getByRole('list', { name: /^Steps/ });
    // While it runs: the slow step is shown running (the page refreshes every 2 s).
    const slow = steps.getByRole('listitem', { name: 'wait for the disk to drain' });
    await slow.locator('[data-status="running"]').waitFor();
    expect(await slow.textContent()).toMatch(/so far/);
    await shot('07-execution-steps-running');

    await page.getByRole('heading', { name: /notebook/ }).locator('[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await slow.locator('[data-status="succeeded"]').waitFor();
    const items = steps.getByRole('listitem');
    expect(await items.count()).toBe(3);
    const measure = steps.getByRole('listitem', { name: 'measure disk' });
    expect(await measure.getAttribute('data-step-status')).toBe('succeeded');
    expect(await measure.getByLabel('Output of measure disk').textContent()).toBe('{\n  "mount": "/var",\n  "freePercent": 3.5\n}');
    const failed = steps.getByRole('listitem', { name: 'page the owner' });
    expect(await failed.getAttribute('data-step-status')).toBe('failed');
    expect(await failed.getByLabel('Error of page the owner').textContent()).toContain('pager is down');
    expect(await slow.getByLabel('Output of wait for the disk to drain').textContent()).toBe('"drained"');
    expect(await slow.textContent()).toMatch(/\d(\.\d+)? s/); // ~4 s
    // The notebook comes before the logs.
    const order = await page.locator('h2').allTextContents();
    expect(order.findIndex((t) => t.startsWith('Steps'))).toBeLessThan(order.findIndex((t) => t.startsWith('Logs')));

    const attachments = page.getByRole('list', { name: /^Attachments/ });
    const largest = attachments.getByRole('listitem', { name: 'largest directories' });
    expect(await largest.textContent()).toContain(`JSON · ${Buffer.byteLength(JSON.stringify(LARGEST))} B`);
    const show = largest.getByRole('button', { name: 'Show largest directories' });
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    await show.click();
    const table = largest.getByRole('table', { name: 'largest directories' });
    await table.waitFor();
    expect(await largest.getByRole('button', { name: 'Hide largest directories' }).getAttribute('aria-expanded')).toBe('true');
    expect(await table.locator('th').allTextContents()).toEqual(['path', 'bytes', 'owner']);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toEqual([
      ['/var/log', '1,200,000', 'syslog'],
      ['/var/cache/apt', '800,000', 'root'],
      ['/var/lib/ünï ✓', '10', 'null'],
    ]);

    // Not a list of flat rows: shown as JSON.
    const usage = attachments.getByRole('listitem', { name: 'disk usage' });
    await usage.getByRole('button', { name: 'Show disk usage' }).click();
    const json = usage.getByLabel('disk usage (JSON)');
    await json.waitFor();
    expect(JSON.parse((await json.textContent()) ?? '')).toEqual({ mount: '/var', history: [[0, 80], [60, 96.5]] });
    await shot('08-execution-steps-attachments');

    const [download] = await Promise.all([page.waitForEvent('download'), largest.getByRole('button', { name: 'Download largest directories' }).click()]);
    expect(download.suggestedFilename()).toBe('largest directories.json');
    const saved = join(downloads, 'largest.json');
    await download.saveAs(saved);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual(LARGEST);

    const detail = (await (await fetch(`${server.url}/api/v1/executions/${id}`, { headers })).json()) as ExecutionDetailDto;
    expect(detail.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'succeeded']);
  });
});
