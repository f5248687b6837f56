import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin-token';
/** A token that can only send events (intake routes): what alert senders' configs hold. */
export const INTAKE_TOKEN_FILE = 'intake-token';

/** The admin token: full API access. */
export const ensureAdminToken = (dataDir: string) => ensureToken(dataDir, ADMIN_TOKEN_FILE, 'wolfe_');
/** The intake token: `POST /api/v1/events/{source}` only. */
export const ensureIntakeToken = (dataDir: string) => ensureToken(dataDir, INTAKE_TOKEN_FILE, 'wolfe_intake_');

/**
 * A token created at first start (random, 256 bits) in `<dataDir>/<file>` with mode 0600,
 * read back on later starts. Tokens are never logged.
 */
async function ensureToken(dataDir: string, file: string, prefix: string): Promise<{ token: string; path: string }> {
  const path = join(dataDir, file);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
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

/** SHA-256 of a token: comparing digests in constant time leaks neither content nor length. */
export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** Constant-time comparison (over digests, so lengths leak nothing either). */
export function tokenMatches(expected: string | Buffer, presented: string | Buffer): boolean {
  const a = typeof expected === 'string' ? tokenDigest(expected) : expected;
  const b = typeof presented === 'string' ? tokenDigest(presented) : presented;
  return timingSafeEqual(a, b);
}
