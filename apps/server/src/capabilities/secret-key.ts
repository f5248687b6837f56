import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRET_KEY_FILE = 'secret-key';
export const SECRET_KEY_ENV = 'WOLFE_SECRET_KEY';

export class SecretKeyError extends Error {}

/**
 * The key that encrypts the secret store (AES-256): `WOLFE_SECRET_KEY` (base64 of 32 random
 * bytes, e.g. `openssl rand -base64 32`), else `<dataDir>/secret-key`, created at first start
 * (random, mode 0600) and read back on later starts. Losing it loses every stored secret;
 * it is never logged, and an error never quotes it.
 */
export async function loadSecretKey(dataDir: string, env: Readonly<Record<string, string | undefined>>): Promise<{ key: Buffer; source: 'env' | 'file'; path: string | null }> {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { key: decodeKey(fromEnv.trim(), SECRET_KEY_ENV), source: 'env', path: null };
  const path = join(dataDir, SECRET_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(32);
  try {
    await writeFile(path, `${fresh.toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    return { key: fresh, source: 'file', path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new SecretKeyError(`${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  return { key: decodeKey((await readFile(path, 'utf8')).trim(), path), source: 'file', path };
}

function decodeKey(text: string, where: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new SecretKeyError(`${where}: not base64; write 32 random bytes in base64, e.g. the output of openssl rand -base64 32`);
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${where}: decodes to ${key.length} bytes; the key must be 32 bytes (openssl rand -base64 32)`);
  return key;
}
