/**
 * The HTTP side of `check-auth`: calls an auth endpoint exactly as pusher-js does
 * (docs/protocol.md §13.1–§13.3). A form-encoded POST of `socket_id` and `channel_name`, or the
 * JSONP GET with `callback=Pusher.auth_callbacks['N']`; user authentication sends `socket_id`
 * only. Redirects are not followed, so a redirect to a login page shows as what it is.
 */
import { randomInt } from 'node:crypto';
import type { Received } from './checks.ts';

export interface ProbeOptions {
  readonly url: string;
  /** Extra request headers, as pusher-js `headers` sends them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookie?: string | undefined;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface Sent {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** The form fields or query parameters, in the order sent. */
  readonly fields: Readonly<Record<string, string>>;
}

/** The endpoint could not be reached at all (exit 2). */
export class UnreachableError extends Error {}

/** A socket id like the server's (§1.4): two random integers joined by a dot. */
export const realisticSocketId = (): string => `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;

/** The callback name pusher-js gives its first JSONP request. */
export const PUSHER_JS_CALLBACK = "Pusher.auth_callbacks['1']";

/** What a hostile page might pass as a callback, to see whether the endpoint echoes it. */
export const HOSTILE_CALLBACK = "Pusher.auth_callbacks['1']);alert(document.domain);//";

/** pusher-js's query: `encodeURIComponent` of every key and value, joined with `&`. */
const encode = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

export async function probe(
  options: ProbeOptions,
  fields: Record<string, string>,
  jsonpCallback?: string,
): Promise<{ sent: Sent; received: Received }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  let sent: Sent;
  let init: RequestInit;
  if (jsonpCallback === undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    sent = { method: 'POST', url: options.url, fields };
    init = { method: 'POST', headers, body: encode(fields) };
  } else {
    // A script tag sends no custom headers; cookies still travel.
    const query = encode({ callback: jsonpCallback, ...fields });
    const url = `${options.url}${options.url.includes('?') ? '&' : '?'}${query}`;
    sent = { method: 'GET', url, fields: { callback: jsonpCallback, ...fields } };
    init = { method: 'GET', headers: options.cookie ? { cookie: options.cookie } : {} };
  }
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(sent.url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new UnreachableError(`Cannot reach ${options.url}: ${reason}`);
  }
  const body = await response.text();
  return {
    sent,
    received: {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      body,
      location: response.headers.get('location') ?? undefined,
    },
  };
}
