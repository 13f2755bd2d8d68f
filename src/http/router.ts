/** Routes HTTP requests: health and readiness probes, metrics, and the HTTP API under /apps. */
import { CONSOLE_HTML, CONSOLE_JS } from '../console/page.ts';
import { httpError, json, type HttpRequest, type HttpResponse } from './types.ts';

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
  /** False while the server drains on shutdown: readiness then answers 503. */
  readonly isReady: () => boolean;
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  readonly api: (request: HttpRequest) => Promise<HttpResponse>;
  /** Serve the live console page. */
  readonly console?: boolean;
  /** pusher-js's HTTP fallback under `/pusher/`: a response, or undefined for another path. */
  readonly fallback?: (request: HttpRequest) => HttpResponse | undefined;
}

export function createRouter(deps: RouterDeps) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const { method, path } = request;
    // `/users/…`: the official Python SDK's terminate_connections path, without `/apps/{id}`.
    if (path.startsWith('/apps/') || path.startsWith('/users/')) return deps.api(request);
    const fallback = path.startsWith('/pusher/') ? deps.fallback?.(request) : undefined;
    if (fallback) return fallback;
    // `/up` too: Laravel's health route, which Laravel users point their probes at.
    if (method === 'GET' && (path === '/' || path === '/up')) {
      return json(200, { ok: true, server: 'pushwire' });
    }
    if (method === 'GET' && path === '/ready') {
      return deps.isReady()
        ? json(200, { ready: true })
        : json(503, { ready: false, reason: 'draining' });
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
}
