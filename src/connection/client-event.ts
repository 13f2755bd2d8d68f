/**
 * The rules a `client-` event must pass before it is relayed (docs/protocol.md §7). The order is the
 * spec's but for one swap: the rate limit (the Session's bucket, asked through `allow`) comes
 * before the size check, so a flood is refused before the costly step, serializing `data`. Pure.
 */
import { channelKind } from '../protocol/channel-kind.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { eventNameProblem, utf8Length } from '../protocol/names.ts';

export interface ClientEventInput {
  readonly app: { enableClientEvents: boolean; maxEventPayloadBytes: number };
  readonly maxEventNameLength: number;
  readonly event: string;
  readonly channel: string | undefined;
  readonly data: unknown;
  /** Whether the sending socket's subscription to `channel` has succeeded. */
  readonly subscribed: boolean;
  /** The connection's rate limit: one token is taken, at `now`, for an event that gets to it. */
  readonly bucket: { take(now: number): boolean };
  readonly now: number;
  /**
   * The length of the frame's text, when the event came in one: a small frame (`smallFrame`)
   * cannot carry `data` over the limit, so it is not serialized to be measured.
   */
  readonly frameLength?: number;
}

/**
 * Whether a frame of `length` UTF-16 units is too short to carry data over `limit` bytes. Parsed
 * and serialized again, JSON takes at most 5.25 bytes of UTF-8 per unit of its text: a number
 * is written out in full below 1e21 (`1e20`, 4 units, is 21 digits), and any other unit is at
 * most 3 bytes. 6 leaves a margin.
 */
export const smallFrame = (length: number, limit: number): boolean => length * 6 <= limit;

export type ClientEventCheck =
  { ok: true; channel: string } | { ok: false; code: number | null; message: string };

const refuse = (message: string): ClientEventCheck => ({ ok: false, code: null, message });

export function checkClientEvent(input: ClientEventInput): ClientEventCheck {
  const { app, event, channel, data } = input;
  if (channel === undefined) return refuse(`Client event ${event} has no channel`);
  if (!app.enableClientEvents) return refuse('Client events are not enabled for this app');
  const nameProblem = eventNameProblem(event, input.maxEventNameLength);
  if (nameProblem) return refuse(`Invalid client event: ${nameProblem}`);
  if (!channelKind(channel).allowsClientEvents) {
    // [U] Encrypted channels refuse client events too (§6, §16.10).
    return refuse(
      `Client events are only supported on private and presence channels, not ${channel}`,
    );
  }
  if (!input.subscribed) {
    return refuse(
      `Cannot broadcast client event (connection not subscribed to channel ${channel})`,
    );
  }
  if (!input.bucket.take(input.now)) {
    const message = 'Client event rejected due to rate limit';
    return { ok: false, code: ErrorCode.ClientEventRateLimit, message };
  }
  const limit = app.maxEventPayloadBytes;
  if (input.frameLength !== undefined && smallFrame(input.frameLength, limit)) {
    return { ok: true, channel };
  }
  const size =
    typeof data === 'string' ? utf8Length(data) : utf8Length(JSON.stringify(data ?? null));
  if (size > limit) return refuse(`Client event data is larger than ${limit} bytes`);
  return { ok: true, channel };
}
