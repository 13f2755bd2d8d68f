/** The HTTP API under /apps/{app_id}/ (PROTOCOL.md §11). */
import type { Adapter } from '../adapter/adapter.ts';
import type { AppStore } from '../apps/app-store.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../connection/transport.ts';
import type { Metrics } from '../observability/metrics.ts';
import { httpError, type HttpRequest, type HttpResponse } from './types.ts';

export interface ApiDeps {
  readonly config: Config;
  readonly apps: AppStore;
  readonly adapter: Adapter;
  readonly clock: Clock;
  readonly metrics: Metrics;
}

export function createApi(_deps: ApiDeps) {
  return async (request: HttpRequest): Promise<HttpResponse> =>
    httpError(404, `Not found: ${request.path}`);
}
