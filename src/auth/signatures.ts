/**
 * The strings Pusher signs (docs/protocol.md §5.4, §5.5, §8.1) and the check of an `auth` value
 * against them. Signatures are made over the exact strings received: never re-serialised.
 */
import { hmacSha256Hex, safeEqual } from './hmac.ts';

export const channelStringToSign = (socketId: string, channel: string, channelData?: string) =>
  channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;

export const userStringToSign = (socketId: string, userData: string) =>
  `${socketId}::user::${userData}`;

/** `key:hex-hmac`, the form of every `auth` value. */
export const signAuth = (key: string, secret: string, stringToSign: string) =>
  `${key}:${hmacSha256Hex(secret, stringToSign)}`;

export type AuthCheck = { ok: true } | { ok: false; problem: string };

/**
 * Checks `auth` ("key:signature") against `stringToSign`. The part before the first `:` must be
 * the app key; the signature is compared in constant time.
 */
export function verifyAuth(
  auth: unknown,
  app: { key: string; secret: string },
  stringToSign: string,
): AuthCheck {
  if (typeof auth !== 'string' || auth.length === 0) {
    return { ok: false, problem: 'Missing auth signature' };
  }
  const colon = auth.indexOf(':');
  const key = colon < 0 ? '' : auth.slice(0, colon);
  const signature = colon < 0 ? auth : auth.slice(colon + 1);
  if (key !== app.key) {
    return { ok: false, problem: `Invalid key in auth: expected "${app.key}"` };
  }
  if (!safeEqual(signature, hmacSha256Hex(app.secret, stringToSign))) {
    return {
      ok: false,
      problem: `Invalid signature: Expected HMAC SHA256 hex digest of ${stringToSign}, but got ${signature}`,
    };
  }
  return { ok: true };
}
