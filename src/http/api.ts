/**
 * The HTTP API under /apps/{app_id}/, and the Python SDK's `/users/{id}/terminate_connections`
 * (docs/protocol.md §11): authentication first, then one
 * handler per resource. Handlers are functions of a parsed request; the listener does the I/O.
 */
import type { Adapter } from '../adapter/adapter.ts';
import type { AppStore } from '../apps/app-store.ts';
import { verifyApiHead, verifyApiRequest, verifyBodyMd5 } from '../auth/api-signature.ts';
import type { AppConfig, Config } from '../config/schema.ts';
import type { Clock } from '../connection/transport.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { isValidUserId } from '../protocol/names.ts';
import type { ConsoleHub } from '../console/hub.ts';
import { AdapterUnavailableError, PublishOutcomeUnknownError } from '../errors.ts';
import { consoleFeed } from './console-feed.ts';
import { listDeadLetters, redeliverDeadLetter, type DeadLetterStore } from './dead-letters.ts';
import { publishEvents } from './publish.ts';
import { parseBatch, parseEvent, parseJsonObject, type PublishLimits } from './publish-input.ts';
import { sharedSummary } from '../console/summary.ts';
import { channelInfo, channelList, channelUsers, consoleMember } from './queries.ts';
import {
  httpError,
  json,
  type HttpRequest,
  type HttpRequestHead,
  type HttpResponse,
} from './types.ts';

export interface ApiDeps {
  readonly config: Config;
  readonly apps: AppStore;
  readonly adapter: Adapter;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** The live console's feed, when it is served. */
  readonly console?: ConsoleHub;
  /** The webhooks' dead letters, when any app may have webhooks. */
  readonly webhooks?: DeadLetterStore;
}

const APP_PATH = /^\/apps\/([^/]+)\/(.*)$/;
/**
 * The official Python SDK posts terminate_connections here, without the `/apps/{id}` prefix
 * (pusher-http-python `terminate_user_connections`). Its `auth_key` names the app.
 */
const KEYED_PATH = /^\/(users\/[^/]+\/terminate_connections)$/;

export function createApi(deps: ApiDeps) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const response = await handle(deps, request).catch(unavailable);
    deps.metrics.apiRequests.inc({ status: String(response.status) });
    return response;
  };
}

/**
 * What the API refuses from a request's head alone, before its body is read: an unknown app, a
 * disabled one, and every check of the signature but the body's MD5 (docs/protocol.md §11.2). So an
 * unsigned or mis-signed body is never held. Undefined: read the body, then call the API.
 */
export function createApiScreen(deps: ApiDeps) {
  return (head: HttpRequestHead): HttpResponse | undefined => {
    const target = findApp(deps, head);
    if ('status' in target) return counted(deps, target);
    const declared = Number(head.headers['content-length'] ?? 0);
    const auth = verifyApiHead(head, target.app, nowSeconds(deps), declared > 0);
    if (!auth.ok) return counted(deps, httpError(401, auth.message));
    if (!target.app.enabled) return counted(deps, httpError(403, 'Application is disabled'));
    screened.set(head.query, target.app);
    return undefined;
  };
}

/**
 * The query of each request the screen let through, with the app it was checked against: its
 * body is then checked against `body_md5` alone, not signed a second time. A request for an app
 * that changed meanwhile (a new object: a rotated secret, say) is checked in full again.
 */
const screened = new WeakMap<URLSearchParams, AppConfig>();

const counted = (deps: ApiDeps, response: HttpResponse): HttpResponse => {
  deps.metrics.apiRequests.inc({ status: String(response.status) });
  return response;
};

const nowSeconds = (deps: ApiDeps) => Math.floor(deps.clock.now() / 1000);

/** The app a request is for and the resource under it, or the answer when there is none. */
function findApp(
  deps: ApiDeps,
  head: HttpRequestHead,
): { app: AppConfig; resource: string } | HttpResponse {
  const keyed = KEYED_PATH.exec(head.path);
  if (keyed?.[1]) {
    const key = head.query.get('auth_key');
    const app = key === null ? undefined : deps.apps.byKey(key);
    if (!app) return httpError(401, key === null ? 'Missing auth_key' : 'Invalid auth_key');
    // The signature covers the path as sent, so it proves this app's secret signed this path.
    return { app, resource: keyed[1] };
  }
  const match = APP_PATH.exec(head.path);
  const id = match?.[1] === undefined ? undefined : decodePathSegment(match[1]);
  const app = id === undefined ? undefined : deps.apps.byId(id);
  if (!match || !app) return httpError(404, 'Unknown app');
  return { app, resource: match[2] ?? '' };
}

async function handle(deps: ApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const target = findApp(deps, request);
  if ('status' in target) return target;
  const { app, resource } = target;
  const auth =
    screened.get(request.query) === app
      ? verifyBodyMd5(request.query, request.body)
      : verifyApiRequest(request, app, nowSeconds(deps));
  if (!auth.ok) return httpError(401, auth.message);
  if (!app.enabled) return httpError(403, 'Application is disabled');
  return route(deps, app, request, resource);
}

async function route(
  deps: ApiDeps,
  app: AppConfig,
  request: HttpRequest,
  resource: string,
): Promise<HttpResponse> {
  const { method } = request;
  if (method === 'POST' && resource === 'events') {
    const body = parseJsonObject(request.body);
    if (!body.ok) return httpError(body.status, body.message);
    const event = parseEvent(body.value, publishLimits(deps.config, app), {
      allowChannels: true,
      field: '',
    });
    if (!event.ok) return httpError(event.status, event.message);
    const [attributes] = await publishEvents(deps, app, [event.value]);
    return json(200, attributes ? { channels: attributes } : {});
  }
  if (method === 'POST' && resource === 'batch_events') {
    const body = parseJsonObject(request.body);
    if (!body.ok) return httpError(body.status, body.message);
    const batch = parseBatch(body.value, publishLimits(deps.config, app));
    if (!batch.ok) return httpError(batch.status, batch.message);
    const attributes = await publishEvents(deps, app, batch.value);
    if (attributes.every((a) => a === undefined)) return json(200, {});
    // Index-aligned with the request; one channel per batch item.
    return json(200, {
      batch: attributes.map((a, i) => a?.[batch.value[i]?.channels[0] ?? ''] ?? {}),
    });
  }
  if (method === 'GET' && resource === 'console' && deps.console) {
    const summarize = () => sharedSummary(deps.adapter)(app.id);
    return consoleFeed(deps.console, app, () => deps.apps.byId(app.id), summarize);
  }
  if (method === 'GET' && resource === 'console/member' && deps.console) {
    return consoleMember(deps.adapter, app, request.query);
  }
  if (method === 'GET' && resource === 'channels')
    return channelList(deps.adapter, app, request.query);
  const channelMatch = /^channels\/([^/]+)(\/users)?$/.exec(resource);
  if (method === 'GET' && channelMatch?.[1]) {
    const channel = decodePathSegment(channelMatch[1]);
    if (channel === undefined) return httpError(400, 'channel: malformed %-escape in the path');
    return channelMatch[2]
      ? channelUsers(deps.adapter, app, channel)
      : channelInfo(deps.adapter, app, channel, request.query);
  }
  if (method === 'GET' && resource === 'webhooks/dead_letters')
    return listDeadLetters(deps.webhooks, app.id);
  const redeliver = /^webhooks\/dead_letters\/([^/]+)\/redeliver$/.exec(resource);
  if (method === 'POST' && redeliver?.[1]) {
    const id = decodePathSegment(redeliver[1]);
    if (id === undefined) return httpError(400, 'id: malformed %-escape in the path');
    return redeliverDeadLetter(deps.webhooks, app.id, id);
  }
  const terminate = /^users\/([^/]+)\/terminate_connections$/.exec(resource);
  if (method === 'POST' && terminate?.[1]) {
    const userId = decodePathSegment(terminate[1]);
    if (userId === undefined) return httpError(400, 'user_id: malformed %-escape in the path');
    if (!isValidUserId(userId)) return httpError(400, 'user_id: invalid user id');
    // [U] Terminated sockets get 4009, as soketi does: pusher-js then does not reconnect (§8.3).
    await deps.adapter.terminateUser(
      app.id,
      userId,
      ErrorCode.Unauthorized,
      'Connection terminated by the application',
    );
    return json(200, {});
  }
  return httpError(404, `Not found: ${method} ${request.path.slice(0, 200)}`);
}

/**
 * The cluster's state cannot be reached: 503, nothing was done, so the caller may retry. 504: a
 * publish whose outcome the node could not learn, which a retry may deliver twice.
 */
function unavailable(error: unknown): HttpResponse {
  if (error instanceof PublishOutcomeUnknownError) return httpError(504, error.message);
  if (!(error instanceof AdapterUnavailableError)) throw error;
  return { ...httpError(503, error.message), headers: { 'retry-after': '1' } };
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const publishLimits = (config: Config, app: AppConfig): PublishLimits => ({
  maxChannelNameLength: config.maxChannelNameLength,
  maxEventNameLength: config.maxEventNameLength,
  maxEventPayloadBytes: app.maxEventPayloadBytes,
  subscriptionCount: app.enableSubscriptionCount,
});
