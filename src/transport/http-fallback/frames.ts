/**
 * The HTTP fallback's wire format (docs/protocol.md §1.6) as pusher-js reads it
 * (core/http/http_socket.ts): one frame a line. `o` opens a session, once, optionally with
 * `{"hostname": …}` for the session's later requests; `a[…]` carries messages, each the JSON
 * string of a protocol frame; `h` is a heartbeat; `c[code, reason]` closes. Pure: no sockets,
 * no timers.
 */

/** The three requests of a session, by the last segment of their path. */
export type RequestKind = 'xhr_streaming' | 'xhr' | 'xhr_send';

export interface FallbackPath {
  readonly key: string;
  readonly kind: RequestKind;
  /** `{server}/{session}` as pusher-js chose it; unique per client socket. */
  readonly sessionId: string;
}

export type PathMatch =
  { ok: true; path: FallbackPath } | { ok: false; status: 400; message: string } | undefined;

/** pusher-js's default `httpPath`, then `/app/{key}/{server}/{session}/{kind}`. */
const FALLBACK_PATH = /^\/pusher\/app\/([^/]+)\/([^/]*)\/([^/]*)\/(xhr_streaming|xhr|xhr_send)$/;
/** pusher-js sends a number below 1000 and 8 base-32 characters; we allow a little more. */
const SERVER_ID = /^\d{1,3}$/;
const SESSION_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Undefined when `path` is not a fallback path at all (the router goes on). */
export function matchFallbackPath(path: string): PathMatch {
  const match = FALLBACK_PATH.exec(path);
  if (!match) return undefined;
  const [, key = '', server = '', session = '', kind] = match;
  if (!SERVER_ID.test(server) || !SESSION_ID.test(session)) {
    return {
      ok: false,
      status: 400,
      message: 'Bad session id: expected /{0-999}/{1-32 of A-Za-z0-9_-}',
    };
  }
  return {
    ok: true,
    path: { key: decodeKey(key), kind: kind as RequestKind, sessionId: `${server}/${session}` },
  };
}

/** A malformed %-escape yields "", which matches no app. */
function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return '';
  }
}

export const openFrame = (hostname: string | null): string =>
  hostname === null ? 'o\n' : `o${JSON.stringify({ hostname })}\n`;

export const HEARTBEAT_FRAME = 'h\n';

export const closeFrame = (code: number, reason: string): string =>
  `c${JSON.stringify([code, reason])}\n`;

/** `messages` are already JSON strings (see `encodeMessage`). */
export const messagesFrame = (messages: readonly string[]): string => `a[${messages.join(',')}]\n`;

/** A protocol frame as one element of an `a[…]` frame; shared by every recipient of a fan-out. */
export const encodeMessage = (text: string): string => JSON.stringify(text);

export type SendBody =
  { ok: true; messages: string[] } | { ok: false; status: 400 | 413; message: string };

/** At most this many messages in one `xhr_send`: pusher-js sends one at a time. */
export const MAX_MESSAGES_PER_SEND = 100;

/**
 * An `xhr_send` body: a JSON array of strings, each one protocol frame. A message over
 * `maxMessageBytes` (the WebSocket `maxFrameBytes`) refuses the whole request with 413.
 */
export function parseSendBody(body: Buffer, maxMessageBytes: number): SendBody {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, message: 'Body is not JSON: expected an array of strings' };
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return { ok: false, status: 400, message: 'Body must be a JSON array of strings' };
  }
  if (value.length > MAX_MESSAGES_PER_SEND) {
    return {
      ok: false,
      status: 400,
      message: `At most ${MAX_MESSAGES_PER_SEND} messages per request`,
    };
  }
  const messages = value as string[];
  if (messages.some((message) => Buffer.byteLength(message) > maxMessageBytes)) {
    return { ok: false, status: 413, message: `Message larger than ${maxMessageBytes} bytes` };
  }
  return { ok: true, messages };
}
