/** Routes HTTP requests: health and readiness probes, metrics, and the HTTP API under /apps. */
import { httpError, json, type HttpRequest, type HttpResponse } from './types.ts';

export interface RouterDeps {
  /** False while the server drains on shutdown: readiness then answers 503. */
  readonly isReady: () => boolean;
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  readonly api: (request: HttpRequest) => Promise<HttpResponse>;
}

export function createRouter(deps: RouterDeps) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const { method, path } = request;
    if (path.startsWith('/apps/')) return deps.api(request);
    if (method === 'GET' && path === '/') return json(200, { ok: true, server: 'pushwire' });
    if (method === 'GET' && path === '/ready') {
      return deps.isReady()
        ? json(200, { ready: true })
        : json(503, { ready: false, reason: 'draining' });
    }
    if (method === 'GET' && path === '/metrics' && deps.metrics) {
      const metrics = await deps.metrics();
      return { status: 200, headers: { 'content-type': metrics.contentType }, body: metrics.body };
    }
    return httpError(404, `Not found: ${method} ${path.slice(0, 200)}`);
  };
}
