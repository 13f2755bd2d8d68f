/**
 * The wire format (docs/protocol.md §1.5, §2): decoding what clients send and encoding what the
 * server sends. Pure; decoders return a result and never throw on client input.
 */

import {
  decodeJsonObject,
  isJsonObject,
  parseJson,
  type Decoded,
  type JsonObject,
} from './json.ts';

/** A decoded client frame. `data` is kept as received: object, string or anything JSON. */
export interface ClientFrame {
  readonly event: string;
  readonly channel?: string;
  readonly data?: unknown;
}

export type { Decoded } from './json.ts';

export function decodeClientFrame(text: string): Decoded<ClientFrame> {
  const decoded = parseJson(text);
  if (!decoded.ok) return { ok: false, problem: `frame ${decoded.problem}` };
  const parsed = decoded.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'frame must be a JSON object' };
  }
  const frame = parsed as Record<string, unknown>;
  if (typeof frame.event !== 'string' || frame.event.length === 0) {
    return { ok: false, problem: 'frame has no "event" string' };
  }
  if (frame.channel !== undefined && typeof frame.channel !== 'string') {
    return { ok: false, problem: '"channel" must be a string' };
  }
  // The parsed object is the frame: no copy of it, nor a second result, per frame received.
  return decoded as Decoded<ClientFrame>;
}

/**
 * `data` of a `pusher:` event as an object. pusher-js sends an object; older clients sent a
 * string holding a JSON object, which is accepted too (§1.5).
 */
export function eventDataObject(data: unknown): Decoded<JsonObject> {
  const decoded = typeof data === 'string' ? decodeJsonObject(data) : undefined;
  if (decoded?.ok) return decoded;
  if (decoded === undefined && isJsonObject(data)) return { ok: true, value: data };
  return { ok: false, problem: '"data" must be an object' };
}

/**
 * A server frame, serialized once. The same instance is handed to every recipient, so a
 * fan-out costs one JSON.stringify and one UTF-8 encoding however many sockets receive it.
 */
export class OutboundFrame {
  #bytes: Buffer | undefined;
  #encoder: ((text: string) => unknown) | undefined;
  #encoded: unknown;
  constructor(readonly text: string) {}
  get bytes(): Buffer {
    return (this.#bytes ??= Buffer.from(this.text, 'utf8'));
  }
  /**
   * The frame in a transport's wire form (a WebSocket frame, say), made by `encode` from the
   * text the first time and shared by every later recipient, so a fan-out frames a message once
   * as well. From the text, not `bytes`: a frame for one socket (most replies) is then encoded
   * straight into its wire buffer, with no intermediate Buffer. The cache holds one encoder's
   * result; another encoder replaces it (still correct, just not shared).
   */
  encodedWith<T>(encode: (text: string) => T): T {
    if (this.#encoder !== encode) {
      this.#encoded = encode(this.text);
      this.#encoder = encode;
    }
    return this.#encoded as T;
  }
}

const frame = (value: object): OutboundFrame => new OutboundFrame(JSON.stringify(value));

/** Digits, a dot, digits (§1.4): nothing in it needs escaping, in JSON or in a JSON string. */
const PLAIN_SOCKET_ID = /^\d+\.\d+$/;

/**
 * `data` is a JSON string here, as pusher-js requires (§1.3, trap 1). One per connection, so it
 * is built from a template (the text `frame()` would make) rather than by two JSON.stringify.
 */
export const connectionEstablished = (socketId: string, activityTimeoutSeconds: number) =>
  PLAIN_SOCKET_ID.test(socketId) && Number.isSafeInteger(activityTimeoutSeconds)
    ? new OutboundFrame(
        `{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"${socketId}\\",\\"activity_timeout\\":${activityTimeoutSeconds}}"}`,
      )
    : frame({
        event: 'pusher:connection_established',
        data: JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeoutSeconds }),
      });

/** `pusher:error` carries an object (not a string), with `code` an integer or null (§2). */
export const errorFrame = (code: number | null, message: string) =>
  frame({ event: 'pusher:error', data: { code, message } });

/** [U] Pusher's pong data was never observed; `"{}"` mirrors the ping (§16.1). */
export const PONG = frame({ event: 'pusher:pong', data: '{}' });
export const PING = frame({ event: 'pusher:ping', data: '{}' });

/**
 * [U] Non-presence success data is `"{}"`; pusher-js ignores it (§2, §16.1). That frame is one
 * per subscribe, so it is built from a template: the same text `frame()` would make.
 */
export const subscriptionSucceeded = (channel: string, presence?: PresenceSnapshot) =>
  presence?.frame
    ? presence.frame
    : presence
      ? frame({
          event: 'pusher_internal:subscription_succeeded',
          channel,
          data: JSON.stringify({ presence }),
        })
      : new OutboundFrame(
          `{"event":"pusher_internal:subscription_succeeded","channel":${JSON.stringify(channel)},"data":"{}"}`,
        );

export interface PresenceSnapshot {
  readonly ids: string[];
  readonly hash: Record<string, unknown>;
  readonly count: number;
  /**
   * This roster's `subscription_succeeded` frame, for the channel it was taken from, when the
   * adapter keeps it built (the local registry does, per channel and roster state): sent as is.
   */
  readonly frame?: OutboundFrame;
}

export const memberAdded = (channel: string, userId: string, userInfo: unknown) =>
  frame({
    event: 'pusher_internal:member_added',
    channel,
    data: JSON.stringify(
      userInfo === undefined ? { user_id: userId } : { user_id: userId, user_info: userInfo },
    ),
  });

export const memberRemoved = (channel: string, userId: string) =>
  frame({
    event: 'pusher_internal:member_removed',
    channel,
    data: JSON.stringify({ user_id: userId }),
  });

/** [U] Frame shape taken from soketi: no `data` (§9, §16.1). */
export const cacheMiss = (channel: string) => frame({ event: 'pusher:cache_miss', channel });

export const signinSuccess = (userData: string) =>
  frame({ event: 'pusher:signin_success', data: { user_data: userData } });

export const subscriptionCount = (channel: string, count: number) =>
  frame({
    event: 'pusher_internal:subscription_count',
    channel,
    data: JSON.stringify({ subscription_count: count }),
  });

export type WatchlistEvent = { name: 'online' | 'offline'; user_ids: string[] };

/** [U] `data` as an object; pusher-js accepts object or string (§8.4). */
export const watchlistEvents = (events: WatchlistEvent[]) =>
  frame({ event: 'pusher_internal:watchlist_events', data: { events } });

/** An app event: `data` is forwarded verbatim (a string from the HTTP API). */
export const channelEvent = (event: string, channel: string, data: unknown, userId?: string) =>
  frame(
    userId === undefined ? { event, channel, data } : { event, channel, data, user_id: userId },
  );

const EVENT_PREFIX = '{"event":"';
const THEN_CHANNEL = '","channel":"';
const THEN_DATA = '","data":';
const CHANNEL_LAST = ',"channel":"';
const QUOTE_OR_BACKSLASH = /["\\]/;

/**
 * A client event relayed as the client sent it: when its text is exactly
 * `{"event":E,"channel":C,"data":D}` or `{"event":E,"data":D,"channel":C}` (pusher-js's order)
 * for the event and channel it was checked as, with D one JSON value and no other member, it is
 * the frame `channelEvent` would build but for D's spacing and escapes, and relaying it saves
 * serializing `data` once more. A presence channel's `user_id` is appended. Undefined for any
 * other text: build the frame with `channelEvent`.
 *
 * E and C are compared as written (no escapes: E has no quote or backslash, and C is a name the
 * socket subscribed to, whose characters never need one), and D holds no member of the frame
 * (no comma outside its own strings and brackets): so the text has exactly three members, no
 * repeated name, however a parser treats repeated names, and reads as it was checked.
 */
export function relayedClientEvent(
  text: string,
  frame: ClientFrame,
  channel: string,
  userId?: string,
): OutboundFrame | undefined {
  const { event } = frame;
  if (frame.channel !== channel || QUOTE_OR_BACKSLASH.test(event)) return undefined;
  if (!text.startsWith(EVENT_PREFIX) || !text.startsWith(event, EVENT_PREFIX.length)) return;
  const last = text.length - 1;
  if (text.charCodeAt(last) !== 0x7d) return;
  const afterEvent = EVENT_PREFIX.length + event.length;
  let data: number;
  let end: number;
  if (text.startsWith(THEN_CHANNEL, afterEvent)) {
    const afterChannel = afterEvent + THEN_CHANNEL.length;
    if (!text.startsWith(channel, afterChannel)) return;
    if (!text.startsWith(THEN_DATA, afterChannel + channel.length)) return;
    data = afterChannel + channel.length + THEN_DATA.length;
    end = last;
  } else {
    if (!text.startsWith(THEN_DATA, afterEvent)) return;
    data = afterEvent + THEN_DATA.length;
    end = last - 1 - channel.length - CHANNEL_LAST.length;
    if (text.charCodeAt(last - 1) !== 0x22 || !text.startsWith(CHANNEL_LAST, end)) return;
    if (!text.startsWith(channel, end + CHANNEL_LAST.length)) return;
  }
  if (end <= data || !oneValue(text, data, end)) return;
  if (userId === undefined) return new OutboundFrame(text);
  return new OutboundFrame(`${text.slice(0, -1)},"user_id":${JSON.stringify(userId)}}`);
}

/**
 * Whether `text[from, to)`, part of a text JSON.parse accepted, is a single value: no comma
 * outside its strings and brackets (which would start another member of the enclosing object).
 */
function oneValue(text: string, from: number, to: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 0) return false;
  }
  return depth === 0 && !inString;
}
