/**
 * Validation of `POST /events` and `POST /batch_events` bodies (docs/protocol.md §11.3). Pure: a
 * body goes in, a list of events to publish or an HTTP error comes out.
 */
import { decodeJsonObject } from '../protocol/json.ts';
import { channelKind } from '../protocol/channel-kind.ts';
import {
  channelNameProblem,
  eventNameProblem,
  isValidSocketId,
  utf8Length,
} from '../protocol/names.ts';

export const MAX_CHANNELS_PER_EVENT = 100;
export const MAX_BATCH_EVENTS = 10;

export interface PublishLimits {
  readonly maxChannelNameLength: number;
  readonly maxEventNameLength: number;
  readonly maxEventPayloadBytes: number;
  /** The app's `enableSubscriptionCount`: without it `info=subscription_count` is refused. */
  readonly subscriptionCount: boolean;
}

export interface EventToPublish {
  readonly name: string;
  readonly data: string;
  readonly channels: string[];
  readonly socketId?: string;
  /** Attributes asked for with `info`: `user_count`, `subscription_count`. */
  readonly info: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

const bad = (message: string, status = 400): Parsed<never> => ({ ok: false, status, message });

export function parseJsonObject(body: Uint8Array): Parsed<Record<string, unknown>> {
  const decoded = decodeJsonObject(Buffer.from(body).toString('utf8'));
  return decoded.ok ? decoded : bad(`Request body ${decoded.problem}`);
}

/** One event: `{name, data, channel | channels, socket_id?, info?}`. `field` prefixes messages. */
export function parseEvent(
  input: unknown,
  limits: PublishLimits,
  options: { allowChannels: boolean; field: string },
): Parsed<EventToPublish> {
  const at = options.field;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return bad(`${at || 'event'} must be an object`);
  const body = input as Record<string, unknown>;
  const nameProblem = eventNameProblem(body.name, limits.maxEventNameLength);
  if (nameProblem) return bad(`${at}name: ${nameProblem}`);
  const name = body.name as string;
  // [U] Names reserved for the protocol are refused (§16.11).
  if (name.startsWith('pusher:') || name.startsWith('pusher_internal:')) {
    return bad(`${at}name: event names starting with pusher: are reserved`);
  }
  // [U] data must be a string, as every official SDK sends it (§11.3).
  if (typeof body.data !== 'string') return bad(`${at}data: must be a string`);
  if (utf8Length(body.data) > limits.maxEventPayloadBytes) {
    return bad(`${at}data: larger than ${limits.maxEventPayloadBytes} bytes`, 413);
  }
  const channels = channelList(body, options.allowChannels, at);
  if (!channels.ok) return channels;
  for (const channel of channels.value) {
    const problem = channelNameProblem(channel, limits.maxChannelNameLength);
    if (problem) return bad(`${at}channels: "${String(channel).slice(0, 200)}": ${problem}`);
  }
  // [U] Encrypted payloads are per-channel ciphertext, so they go to one channel at a time (§6).
  if (channels.value.length > 1 && channels.value.some((c) => channelKind(c).isEncrypted)) {
    return bad(`${at}channels: an encrypted channel must be the only channel of an event`);
  }
  if (body.socket_id !== undefined && !isValidSocketId(body.socket_id)) {
    return bad(`${at}socket_id: must match ^\\d+\\.\\d+$`);
  }
  const info = body.info === undefined ? [] : body.info;
  if (typeof info !== 'string' && !Array.isArray(info))
    return bad(`${at}info: must be a comma-separated string`);
  const attributes = typeof info === 'string' ? splitInfo(info) : [];
  if (!limits.subscriptionCount && attributes.includes('subscription_count')) {
    return bad(`${at}info: ${SUBSCRIPTION_COUNT_OFF}`);
  }
  return {
    ok: true,
    value: {
      name,
      data: body.data,
      channels: channels.value,
      ...(typeof body.socket_id === 'string' ? { socketId: body.socket_id } : {}),
      info: attributes,
    },
  };
}

function channelList(
  body: Record<string, unknown>,
  allowChannels: boolean,
  at: string,
): Parsed<string[]> {
  if (allowChannels && body.channels !== undefined) {
    if (!Array.isArray(body.channels) || !body.channels.every((c) => typeof c === 'string')) {
      return bad(`${at}channels: must be an array of strings`);
    }
    if (body.channels.length === 0) return bad(`${at}channels: must not be empty`);
    if (body.channels.length > MAX_CHANNELS_PER_EVENT) {
      return bad(`${at}channels: at most ${MAX_CHANNELS_PER_EVENT} channels per event`);
    }
    return { ok: true, value: body.channels as string[] };
  }
  if (typeof body.channel !== 'string') {
    return bad(`${at}channel: required${allowChannels ? ' (or channels)' : ''}, as a string`);
  }
  return { ok: true, value: [body.channel] };
}

/**
 * Pusher answers an error when `subscription_count` is asked of an app whose subscription
 * counting is off (the official Swift SDK's docs: "Attempts to fetch it when it is disabled
 * result in an error"), so the count is only ever read where it is also announced.
 */
export const SUBSCRIPTION_COUNT_OFF =
  'subscription_count needs enableSubscriptionCount: true on the app';

export const splitInfo = (info: string): string[] =>
  info
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

export function parseBatch(
  body: Record<string, unknown>,
  limits: PublishLimits,
): Parsed<EventToPublish[]> {
  if (!Array.isArray(body.batch)) return bad('batch: must be an array of events');
  if (body.batch.length === 0) return bad('batch: must not be empty');
  if (body.batch.length > MAX_BATCH_EVENTS)
    return bad(`batch: at most ${MAX_BATCH_EVENTS} events per call`);
  const events: EventToPublish[] = [];
  for (const [index, item] of body.batch.entries()) {
    const parsed = parseEvent(item, limits, { allowChannels: false, field: `batch[${index}].` });
    if (!parsed.ok) return parsed;
    events.push(parsed.value);
  }
  return { ok: true, value: events };
}
