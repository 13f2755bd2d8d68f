/** HMAC-SHA256 and constant-time comparison, the primitives under every signature. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256Hex = (secret: string, message: string): string =>
  createHmac('sha256', secret).update(message, 'utf8').digest('hex');

/** Constant-time for equal lengths; a length mismatch is not secret (hex digests are fixed). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Whether `text` from `offset` on equals `expected`, in time that depends on the lengths only:
 * no early exit and no data-dependent branch. Unlike `safeEqual` it allocates nothing, which
 * matters on the subscribe path (one check per private or presence subscription).
 */
export function safeEqualAt(text: string, offset: number, expected: string): boolean {
  if (text.length - offset !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    difference |= text.charCodeAt(offset + i) ^ expected.charCodeAt(i);
  }
  return difference === 0;
}
