/** Routes HTTP requests: health and readiness probes, metrics, and the HTTP API under /apps. */
import { CONSOLE_HTML, CONSOLE_JS } from '../console/page.ts';
import {
  httpError,
  json,
  type HttpRequest,
  type HttpRequestHead,
  type HttpResponse,
} from './types.ts';

/** A static page, locked down: its own script only, no framing by other sites. */
const page = (type: string, body: string): HttpResponse => ({
  status: 200,
  headers: {
    'content-type': `${type}; charset=utf-8`,
    // form-action: the console's form is never submitted anywhere, so its secret stays put.
    'content-security-policy':
      "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  },
  body,
});

export interface RouterDeps {
  /** Why this node should get no new clients (draining, Redis unreachable), or undefined. */
  readonly notReady: () => string | undefined;
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  readonly api: (request: HttpRequest) => Promise<HttpResponse>;
  /** The API's answer from a request's head, before its body is read (see createApiScreen). */
  readonly screenApi: (head: HttpRequestHead) => HttpResponse | undefined;
  /** Serve the live console page. */
  readonly console?: boolean;
  /** pusher-js's HTTP fallback under `/pusher/`: a response, or undefined for another path. */
  readonly fallback?: (request: HttpRequest) => HttpResponse | undefined;
}

const NO_BODY = Buffer.alloc(0);

// `/users/…`: the official Python SDK's terminate_connections path, without `/apps/{id}`.
const isApiPath = (path: string) => path.startsWith('/apps/') || path.startsWith('/users/');

export function createRouter(deps: RouterDeps) {
  const handle = async (request: HttpRequest): Promise<HttpResponse> => {
    const { method, path } = request;
    if (isApiPath(path)) return deps.api(request);
    const fallback = path.startsWith('/pusher/') ? deps.fallback?.(request) : undefined;
    if (fallback) return fallback;
    // `/up` too: Laravel's health route, which Laravel users point their probes at.
    if (method === 'GET' && (path === '/' || path === '/up')) {
      return json(200, { ok: true, server: 'pushwire' });
    }
    if (method === 'GET' && path === '/ready') {
      const reason = deps.notReady();
      return reason === undefined
        ? json(200, { ready: true })
        : json(503, { ready: false, reason });
    }
    if (method === 'GET' && deps.console && path === '/console') {
      return page('text/html', CONSOLE_HTML);
    }
    if (method === 'GET' && deps.console && path === '/console.js') {
      return page('text/javascript', CONSOLE_JS);
    }
    if (method === 'GET' && path === '/metrics' && deps.metrics) {
      const metrics = await deps.metrics();
      return { status: 200, headers: { 'content-type': metrics.contentType }, body: metrics.body };
    }
    return httpError(404, `Not found: ${method} ${path.slice(0, 200)}`);
  };
  /**
   * Answers a request from its head where no body is needed: the API's refusals, and every route
   * outside the API but the HTTP fallback, which read none. Undefined: read the body, then `handle` it.
   */
  // Synchronous for the API, the hot path; only the routes answered in full wait for anything.
  const screen = (
    head: HttpRequestHead,
  ): HttpResponse | undefined | Promise<HttpResponse | undefined> => {
    if (isApiPath(head.path)) return deps.screenApi(head);
    // The HTTP fallback's xhr_send carries a client's messages in its body.
    if (deps.fallback && head.path.startsWith('/pusher/')) return undefined;
    return handle({ ...head, body: NO_BODY });
  };
  return { handle, screen };
}
