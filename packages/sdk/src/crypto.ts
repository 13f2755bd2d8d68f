/**
 * Hashing, encoding and randomness on every runtime (Node, Deno, Bun, edge workers): pure
 * JavaScript from @noble, plus `btoa`/`atob` and `crypto.getRandomValues`, which all of them have.
 * No `node:crypto` and no `Buffer`, so the SDK loads where neither exists, and stays synchronous.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { concatBytes, utf8ToBytes };

/** Lowercase hex HMAC-SHA256 of the UTF-8 bytes of `message`, keyed by the UTF-8 `secret`. */
export const hmacSha256Hex = (secret: string, message: string): string =>
  bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(message)));

export const sha256Bytes = (data: Uint8Array): Uint8Array => sha256(data);

/** Lowercase hex MD5 of the UTF-8 bytes of `text` (the HTTP API's `body_md5`). */
export const md5Hex = (text: string): string => bytesToHex(md5(utf8ToBytes(text)));

/**
 * Compares two strings without an early exit on the first difference. A length mismatch returns
 * at once: the lengths of hex digests are public.
 */
export function secureCompare(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes standard, padded base64; `null` when `text` is not that. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Cryptographically random bytes from the runtime's Web Crypto. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}
