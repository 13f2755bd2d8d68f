/**
 * Decides whether a WebSocket connection may open (docs/protocol.md §1.1-§1.2). Failures are
 * reported after the upgrade, as `pusher:error` then a close with the same code: refusing the
 * HTTP upgrade would make pusher-js retry for ever.
 */
import type { AppConfig } from '../config/schema.ts';
import { ErrorCode } from '../protocol/codes.ts';

/** `appId`: the enabled app the connection asked for, once it is known (for its console). */
export type Refusal = { ok: false; code: number; message: string; appId?: string };
export type Handshake = { ok: true; app: AppConfig } | Refusal;

const APP_PATH = /^\/app\/([^/?#]+)\/?$/;
/** Protocol 1-3 are "no longer supported"; 4-7 are served (§1.2). */
const MIN_PROTOCOL = 4;
const MAX_PROTOCOL = 7;

/**
 * The refusal for an app that takes no connections: missing (4001) or disabled (4003). Given to
 * a new connection, and to open ones when a dynamic app store removes or disables their app.
 */
export const appRefusal = (app: AppConfig | undefined): Refusal =>
  app
    ? fail(ErrorCode.AppDisabled, 'Application is disabled')
    : fail(ErrorCode.AppNotFound, 'Application does not exist');

export function checkHandshake(
  url: string,
  lookup: (key: string) => AppConfig | undefined,
  openConnections: (appId: string) => number,
): Handshake {
  const target = readTarget(url);
  if (!target.ok) return target;
  const app = lookup(target.key);
  if (!app?.enabled) return appRefusal(app);
  const protocol = target.protocol;
  // [U] A missing protocol gets 4008 rather than being inferred from `version` (§1.2).
  const refuse = (code: number, message: string): Refusal => ({
    ...fail(code, message),
    appId: app.id,
  });
  if (protocol === null || protocol === '')
    return refuse(ErrorCode.NoProtocolVersion, 'No protocol version supplied');
  const version = /^\d+$/.test(protocol) ? Number(protocol) : NaN;
  if (!(version >= MIN_PROTOCOL && version <= MAX_PROTOCOL)) {
    return refuse(
      ErrorCode.UnsupportedProtocol,
      `Unsupported protocol version ${protocol.slice(0, 20)}`,
    );
  }
  if (app.maxConnections !== null && openConnections(app.id) >= app.maxConnections) {
    return refuse(ErrorCode.OverConnectionQuota, 'Application is over its connection quota');
  }
  return { ok: true, app };
}

const fail = (code: number, message: string): Refusal => ({ ok: false, code, message });

type Target = { ok: true; key: string; protocol: string | null } | Refusal;

/**
 * What pusher-js asks for, `/app/{key}?protocol=7&client=js&version=…`, with nothing that a URL
 * parser would decode or normalise (no `%`, `+`, `#`, dot segments): read as it is, without
 * building a URL and its search params (one per connection). Anything else takes the parser.
 */
const PLAIN_TARGET = /^\/app\/([A-Za-z0-9_-][A-Za-z0-9_.-]*)\/?(?:\?([A-Za-z0-9_.=&-]*))?$/;

export function readTarget(url: string): Target {
  const plain = PLAIN_TARGET.exec(url);
  if (plain) return { ok: true, key: plain[1]!, protocol: queryValue(plain[2], 'protocol') };
  // Client input: neither a bad request target nor a bad %-escape may throw (it would crash).
  const parsed = parseUrl(url);
  if (!parsed) return fail(ErrorCode.PathNotFound, 'Path not found');
  const match = APP_PATH.exec(parsed.pathname);
  if (!match?.[1])
    return fail(ErrorCode.PathNotFound, `Path not found: ${parsed.pathname.slice(0, 100)}`);
  return { ok: true, key: decodeKey(match[1]), protocol: parsed.searchParams.get('protocol') };
}

/** The first `name=` parameter of a query with nothing to decode, as URLSearchParams reads it. */
function queryValue(query: string | undefined, name: string): string | null {
  if (query === undefined) return null;
  for (let start = 0; start <= query.length;) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (query.startsWith(name, start)) {
      const after = start + name.length;
      if (after === end) return '';
      if (query.charCodeAt(after) === 61 /* = */) return query.slice(after + 1, end);
    }
    start = end + 1;
  }
  return null;
}

/** The key from the path; a malformed %-escape yields "", which matches no app. */
function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return '';
  }
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url, 'http://localhost');
  } catch {
    return undefined;
  }
}
