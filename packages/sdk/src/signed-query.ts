/**
 * Request signing for the HTTP API (docs/protocol.md §11.2): `auth_*` and `body_md5` parameters,
 * sorted by key, joined without URL-encoding (as the official SDK does), then signed as
 * `METHOD\npath\nquery`.
 */
import { md5Hex } from './crypto.ts';
import { PushwireSdkError } from './errors.ts';
import type { Token } from './token.ts';

const RESERVED = new Set([
  'auth_key',
  'auth_timestamp',
  'auth_version',
  'auth_signature',
  'body_md5',
]);

/** Extra query parameters; values are written with `String(value)`. */
export type QueryParams = Record<string, unknown>;

export interface SignedQueryRequest {
  method: string;
  /** The full request path, `/apps/{id}/…`: it is part of the signed string. */
  path: string;
  params?: QueryParams;
  /** The exact body bytes to be sent, as a string. */
  body?: string;
}

/** `nowSeconds` is injected so tests can pin `auth_timestamp`. */
export function createSignedQueryString(
  token: Token,
  request: SignedQueryRequest,
  nowSeconds: number,
): string {
  const params: Record<string, unknown> = {
    auth_key: token.key,
    auth_timestamp: Math.floor(nowSeconds),
    auth_version: '1.0',
  };
  if (request.body) params.body_md5 = md5Hex(request.body);
  for (const [key, value] of Object.entries(request.params ?? {})) {
    if (RESERVED.has(key)) {
      throw new PushwireSdkError(
        'reserved_query_param',
        `${key} is a required parameter and cannot be overridden`,
      );
    }
    params[key] = value;
  }
  // Byte-order sort of the keys, as both the SDK and the server do.
  const query = Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${String(params[key])}`)
    .join('&');
  const stringToSign = [request.method.toUpperCase(), request.path, query].join('\n');
  return `${query}&auth_signature=${token.sign(stringToSign)}`;
}
