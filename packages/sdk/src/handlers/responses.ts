/** Response builders shared by the auth endpoints. */
import type { AuthHttpResponse } from './types.ts';

/** Auth values are per connection: never cache them; never let a browser sniff JSON as script. */
const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export const jsonResponse = (status: number, value: unknown): AuthHttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...COMMON },
  body: JSON.stringify(value),
});

/** Error bodies name the problem but never repeat the request's values. */
export const errorResponse = (
  status: number,
  message: string,
  headers: Record<string, string> = {},
): AuthHttpResponse => {
  const response = jsonResponse(status, { error: message });
  return { ...response, headers: { ...response.headers, ...headers } };
};

export const scriptResponse = (body: string): AuthHttpResponse => ({
  status: 200,
  headers: { 'content-type': 'application/javascript', ...COMMON },
  body,
});
