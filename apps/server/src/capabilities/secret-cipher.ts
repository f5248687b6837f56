import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher, SecretSlot } from '@wolfe/application';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM: a fresh random 96-bit IV per value, the 128-bit tag, and the slot (project,
 * environment, name) as additional authenticated data — a ciphertext moved to another secret,
 * project or environment (or tampered with) does not decrypt. Stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64).
 */
export class AesGcmSecretCipher implements SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AesGcmSecretCipher: the key must be 32 bytes');
  }

  encrypt(plaintext: string, slot: SecretSlot): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(slot));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(ciphertext: string, slot: SecretSlot): string {
    const [version, iv, tag, body, ...rest] = ciphertext.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) throw new Error('not a secret ciphertext of this version');
    const ivBytes = Buffer.from(iv, 'base64');
    const tagBytes = Buffer.from(tag, 'base64');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new Error('not a secret ciphertext of this version');
    const decipher = createDecipheriv('aes-256-gcm', this.key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(slot));
    decipher.setAuthTag(tagBytes);
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`the secret ${slot.name} of ${slot.project}/${slot.env} does not decrypt: another key, or it was altered or moved`);
    }
  }
}

function aad(slot: SecretSlot): Buffer {
  return Buffer.from(JSON.stringify(['wolfe-secret', slot.project, slot.env, slot.name]), 'utf8');
}
