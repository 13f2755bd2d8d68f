/**
 * HTTP API request authentication (docs/protocol.md §11.2): HMAC-SHA256 of
 * `METHOD\nPATH\ncanonical query`, a 600 s timestamp window and the body's MD5.
 */
import { createHash } from 'node:crypto';
import { hmacSha256Hex, safeEqual } from './hmac.ts';

export const TIMESTAMP_WINDOW_SECONDS = 600;

export const md5Hex = (body: Uint8Array | string): string =>
  createHash('md5').update(body).digest('hex');

/**
 * All parameters but `auth_signature`, keys lowercased and sorted (stably, so repeated keys keep
 * their order), joined as `key=value` with the decoded values: no URL encoding.
 */
export function canonicalQuery(query: URLSearchParams): string {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of query) {
    if (key === 'auth_signature') continue;
    pairs.push([key.toLowerCase(), value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

export const apiStringToSign = (method: string, path: string, query: URLSearchParams): string =>
  `${method.toUpperCase()}\n${path}\n${canonicalQuery(query)}`;

/** What arrives before the body: everything the signature covers but the body itself. */
export interface SignedHead {
  readonly method: string;
  /** The path exactly as it appeared in the request line. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
}

export interface SignedRequest extends SignedHead {
  readonly body: Uint8Array;
}

export type ApiAuthResult = { ok: true } | { ok: false; message: string };

/**
 * Every check that needs no body: the key, the version, the timestamp window, a `body_md5` when
 * a body is coming (`bodyComing`), and the HMAC, which covers `body_md5`. Run before the body is
 * read, so an unsigned or mis-signed request is refused without holding its body.
 */
export function verifyApiHead(
  request: SignedHead,
  app: { key: string; secret: string },
  nowSeconds: number,
  bodyComing: boolean,
): ApiAuthResult {
  const { query } = request;
  const key = query.get('auth_key');
  if (key === null) return fail('Missing auth_key');
  if (key !== app.key) return fail('Invalid auth_key: not a key of this app');
  if (query.get('auth_version') !== '1.0') return fail('Invalid auth_version: expected 1.0');
  const timestamp = query.get('auth_timestamp');
  if (timestamp === null || !/^\d+$/.test(timestamp))
    return fail('Missing or invalid auth_timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
    return fail(
      `Timestamp expired: given timestamp (${timestamp}) not within ${TIMESTAMP_WINDOW_SECONDS}s of server time (${nowSeconds})`,
    );
  }
  if (bodyComing && query.get('body_md5') === null)
    return fail('Missing body_md5 for a request with a body');
  const signature = query.get('auth_signature');
  if (signature === null) return fail('Missing auth_signature');
  const expected = hmacSha256Hex(
    app.secret,
    apiStringToSign(request.method, request.rawPath, query),
  );
  if (!safeEqual(signature, expected))
    return fail('Invalid signature: auth_signature does not match the request');
  return OK;
}

/** Checks a request against one app; every failure names the check that failed. */
export function verifyApiRequest(
  request: SignedRequest,
  app: { key: string; secret: string },
  nowSeconds: number,
): ApiAuthResult {
  const head = verifyApiHead(request, app, nowSeconds, request.body.length > 0);
  if (!head.ok) return head;
  return verifyBodyMd5(request.query, request.body);
}

/** The body against the `body_md5` the signature covered (none signed: the body must be empty). */
export function verifyBodyMd5(query: URLSearchParams, body: Uint8Array): ApiAuthResult {
  const bodyMd5 = query.get('body_md5');
  if (bodyMd5 === null)
    return body.length === 0 ? OK : fail('Missing body_md5 for a request with a body');
  if (!safeEqual(bodyMd5, md5Hex(body)))
    return fail('Invalid body_md5: it does not match the body');
  return OK;
}

const OK: ApiAuthResult = Object.freeze({ ok: true });
const fail = (message: string): ApiAuthResult => ({ ok: false, message });
