/**
 * The framework-neutral shape of an auth endpoint: a parsed request in, `{status, headers, body}`
 * out. Adapters (adapters/) translate node:http, Fastify and fetch `Request`s to and from it.
 */

import type { JsonpCallbackRule } from './jsonp.ts';

export interface AuthHttpRequest<R> {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Query parameters: the `jsonp` transport sends everything here. */
  readonly query: URLSearchParams;
  readonly contentType?: string | undefined;
  /** The raw body text, or the object a framework's body parser already made of it. */
  readonly body?: string | Record<string, unknown> | undefined;
  /** The framework's own request, handed to `authorize`/`authenticate` untouched. */
  readonly request: R;
}

export interface AuthHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An auth endpoint, ready to be wrapped by an adapter. */
export type AuthEndpoint<R> = (input: AuthHttpRequest<R>) => Promise<AuthHttpResponse>;

/** How pusher-js reached the endpoint (docs/protocol.md §13). */
export type AuthTransport = 'ajax' | 'jsonp';

export interface AuthEndpointOptions<R> {
  /**
   * Answer GET requests of the `jsonp` transport. Off by default: a JSONP response can be read
   * by any page that includes it as a script, so `authorize` must not rely on cookies alone
   * when this is on (check a token sent in pusher-js `params`, for example).
   */
  readonly jsonp?: boolean;
  /**
   * JSONP callback names to answer besides pusher-js's own `Pusher.auth_callbacks['N']`, the
   * only ones accepted by default: a RegExp the whole name must match, or a predicate. Only
   * plain dotted identifiers (`app.auth.done`) are ever put to it.
   */
  readonly jsonpCallbacks?: JsonpCallbackRule;
  /** Called with errors thrown by `authorize`/`authenticate` or by signing; default `console.error`. */
  readonly onError?: (error: unknown, request: R) => void;
}
