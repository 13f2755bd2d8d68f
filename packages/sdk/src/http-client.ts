/**
 * Signed calls to the HTTP API over `fetch`. Resolves to the `Response` for status < 400 and
 * rejects with a `RequestError` otherwise, as the official SDK does.
 */
import { RequestError } from './errors.ts';
import type { SdkConfig } from './options.ts';
import { createSignedQueryString, type QueryParams } from './signed-query.ts';
import type { Token } from './token.ts';
import { PushwireSdkError } from './errors.ts';

/** Sent as `x-pusher-library`; informational only. */
export const LIBRARY_NAME = 'pushwire-sdk 0.1.0';

export interface ApiRequest {
  /** Path under `/apps/{appId}`, e.g. `/events`. */
  path: string;
  params?: QueryParams;
  /** JSON-encoded before sending; omitted when falsy. */
  body?: unknown;
}

export async function sendApiRequest(
  options: SdkConfig,
  token: Token,
  method: 'GET' | 'POST',
  request: ApiRequest,
): Promise<Response> {
  if (options.appId === undefined) {
    throw new PushwireSdkError('invalid_options', 'appId is required for HTTP API calls');
  }
  const path = `/apps/${options.appId}${request.path}`;
  const body = request.body ? JSON.stringify(request.body) : undefined;
  const query = createSignedQueryString(
    token,
    { method, path, params: request.params, body },
    options.now() / 1000,
  );
  const url = `${options.baseUrl}${path}?${query}`;
  const headers: Record<string, string> = { 'x-pusher-library': LIBRARY_NAME };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const controller = options.timeout ? new AbortController() : undefined;
  const timer = controller ? setTimeout(() => controller.abort(), options.timeout) : undefined;
  let response: Response;
  try {
    response = await options.fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(controller ? { signal: controller.signal } : {}),
    });
  } catch (error) {
    throw new RequestError('Request failed with an error', url, error);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (response.status >= 400) {
    const text = await response.text();
    throw new RequestError(
      `Unexpected status code ${response.status}`,
      url,
      undefined,
      response.status,
      text,
    );
  }
  return response;
}
