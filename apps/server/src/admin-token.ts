import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: created at first start (random, 256 bits) in `<dataDir>/admin-token`
 * with mode 0600, read back on later starts. It is never logged.
 */
export async function ensureAdminToken(dataDir: string): Promise<{ token: string; path: string }> {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = `wolfe_${randomBytes(32).toString('base64url')}`;
  try {
    await writeFile(path, `${token}\n`, { flag: 'wx', mode: 0o600 });
    return { token, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const existing = (await readFile(path, 'utf8')).trim();
  if (existing.length < 16) throw new Error(`${path} holds no usable token (shorter than 16 characters); delete it to have a new one made`);
  return { token: existing, path };
}

/** Constant-time comparison (over digests, so lengths leak nothing either). */
export function tokenMatches(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
