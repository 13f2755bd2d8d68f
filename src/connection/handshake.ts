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
  // Client input: neither a bad request target nor a bad %-escape may throw (it would crash).
  const parsed = parseUrl(url);
  if (!parsed) return fail(ErrorCode.PathNotFound, 'Path not found');
  const match = APP_PATH.exec(parsed.pathname);
  if (!match?.[1])
    return fail(ErrorCode.PathNotFound, `Path not found: ${parsed.pathname.slice(0, 100)}`);
  const app = lookup(decodeKey(match[1]));
  if (!app?.enabled) return appRefusal(app);
  const protocol = parsed.searchParams.get('protocol');
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

/** The app key a connection to `url` asks for, cheaply (no URL parsing); undefined if none. */
export function appKeyOf(url: string): string | undefined {
  const match = APP_KEY.exec(url);
  return match?.[1] === undefined ? undefined : decodeKey(match[1]);
}
const APP_KEY = /^\/app\/([^/?#]+)/;

const fail = (code: number, message: string): Refusal => ({ ok: false, code, message });

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
