/**
 * The strings Pusher signs (docs/protocol.md §5.4, §5.5, §8.1) and the check of an `auth` value
 * against them. Signatures are made over the exact strings received: never re-serialised.
 */
import { hmacSha256Hex, safeEqualAt } from './hmac.ts';

export const channelStringToSign = (socketId: string, channel: string, channelData?: string) =>
  channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;

export const userStringToSign = (socketId: string, userData: string) =>
  `${socketId}::user::${userData}`;

/** `key:hex-hmac`, the form of every `auth` value. */
export const signAuth = (key: string, secret: string, stringToSign: string) =>
  `${key}:${hmacSha256Hex(secret, stringToSign)}`;

export type AuthCheck = { ok: true } | { ok: false; problem: string };

const VERIFIED: AuthCheck = Object.freeze({ ok: true });

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
  // Read in place: a valid `auth` costs no substring (one check per signed subscription).
  const colon = auth.indexOf(':');
  if (colon !== app.key.length || !auth.startsWith(app.key)) {
    return { ok: false, problem: `Invalid key in auth: expected "${app.key}"` };
  }
  if (!safeEqualAt(auth, colon + 1, hmacSha256Hex(app.secret, stringToSign))) {
    const signature = auth.slice(colon + 1);
    return {
      ok: false,
      problem: `Invalid signature: Expected HMAC SHA256 hex digest of ${stringToSign}, but got ${signature}`,
    };
  }
  return VERIFIED;
}
