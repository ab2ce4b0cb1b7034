import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys are 32 random bytes, so a fast hash is enough to store them safely (no dictionary to
 * attack); SHA-256 lets the key be looked up by its hash in one indexed query. Passwords, which are
 * guessable, get argon2 instead.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `pakn_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');
