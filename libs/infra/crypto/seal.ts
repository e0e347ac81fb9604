// Sealing of secret values at rest (AES-256-GCM): Secret data never enters the log in clear.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';

/**
 * A sealed value is `k1:<base64(iv ‖ tag ‖ ciphertext)>`. The prefix names the key generation so
 * that a later key rotation can tell old blobs from new. `context` is bound as additional
 * authenticated data: a blob sealed for one object does not unseal as another's.
 */
export interface Sealer {
  seal(plaintext: string, context: string): string;
  unseal(sealed: string, context: string): E.Either<SealError, string>;
}

export interface SealError {
  readonly _tag: 'SealError';
  readonly message: string;
}

const prefix = 'k1:';

/** The key is 32 bytes, given as base64 (e.g. `openssl rand -base64 32`). */
export function createSealer(keyBase64: string): E.Either<SealError, Sealer> {
  const key = Buffer.from(keyBase64, 'base64');
  if (key.length !== 32) {
    return E.left({ _tag: 'SealError', message: `the encryption key must be 32 bytes in base64, got ${key.length} bytes` });
  }
  return E.right({
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return prefix + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
    },
    unseal(sealed, context) {
      if (!sealed.startsWith(prefix)) return E.left({ _tag: 'SealError', message: 'not a sealed value of a known key generation' });
      const raw = Buffer.from(sealed.slice(prefix.length), 'base64');
      if (raw.length < 28) return E.left({ _tag: 'SealError', message: 'sealed value is truncated' });
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(raw.subarray(12, 28));
        return E.right(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
      } catch {
        // Never echo the blob or the key: only that it did not authenticate.
        return E.left({ _tag: 'SealError', message: 'sealed value does not authenticate with this key' });
      }
    },
  });
}

export function generateKey(): string {
  return randomBytes(32).toString('base64');
}
