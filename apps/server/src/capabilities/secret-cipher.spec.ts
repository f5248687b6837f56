import { randomBytes } from 'node:crypto';
import { AesGcmSecretCipher } from './secret-cipher';

const slot = { project: 'payments', env: 'prod' as const, name: 'SLACK_TOKEN' };

describe('AesGcmSecretCipher', () => {
  const cipher = new AesGcmSecretCipher(randomBytes(32));

  it('round-trips, with a fresh IV every time, and never contains the plaintext', () => {
    const a = cipher.encrypt('xoxb-secret-ü-🚨', slot);
    const b = cipher.encrypt('xoxb-secret-ü-🚨', slot);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toContain('xoxb');
    expect(cipher.decrypt(a, slot)).toBe('xoxb-secret-ü-🚨');
  });

  it('refuses a ciphertext moved to another slot, tampered with, or made with another key', () => {
    const c = cipher.encrypt('value-1234', slot);
    expect(() => cipher.decrypt(c, { ...slot, name: 'OTHER' })).toThrow(/does not decrypt/);
    expect(() => cipher.decrypt(c, { ...slot, env: 'dev' })).toThrow(/does not decrypt/);
    expect(() => cipher.decrypt(c, { ...slot, project: 'search' })).toThrow(/does not decrypt/);
    const parts = c.split(':');
    const body = Buffer.from(parts[3] ?? '', 'base64');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() => cipher.decrypt([parts[0], parts[1], parts[2], body.toString('base64')].join(':'), slot)).toThrow(/does not decrypt/);
    expect(() => new AesGcmSecretCipher(randomBytes(32)).decrypt(c, slot)).toThrow(/does not decrypt/);
    expect(() => cipher.decrypt('plaintext', slot)).toThrow(/not a secret ciphertext/);
  });
});
