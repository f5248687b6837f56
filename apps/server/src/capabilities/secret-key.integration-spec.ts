import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadSecretKey, SECRET_KEY_FILE } from './secret-key';

describe('loadSecretKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wolfe-secret-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates <dataDir>/secret-key (0600) at first start and reads the same key back', async () => {
    const first = await loadSecretKey(dir, {});
    expect(first.source).toBe('file');
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = await loadSecretKey(dir, {});
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('takes WOLFE_SECRET_KEY (base64, 32 bytes) instead, and never quotes a bad one', async () => {
    const key = randomBytes(32);
    const r = await loadSecretKey(dir, { WOLFE_SECRET_KEY: key.toString('base64') });
    expect(r).toMatchObject({ source: 'env', path: null });
    expect(r.key.equals(key)).toBe(true);
    const short = randomBytes(16).toString('base64');
    await expect(loadSecretKey(dir, { WOLFE_SECRET_KEY: short })).rejects.toThrow(/WOLFE_SECRET_KEY: decodes to 16 bytes/);
    await expect(loadSecretKey(dir, { WOLFE_SECRET_KEY: short })).rejects.not.toThrow(short);
    await expect(loadSecretKey(dir, { WOLFE_SECRET_KEY: 'not base64!' })).rejects.toThrow(/not base64/);
  });

  it('refuses a key file other users can read', async () => {
    writeFileSync(join(dir, SECRET_KEY_FILE), `${randomBytes(32).toString('base64')}\n`);
    chmodSync(join(dir, SECRET_KEY_FILE), 0o644);
    await expect(loadSecretKey(dir, {})).rejects.toThrow(/readable by other users/);
  });
});
