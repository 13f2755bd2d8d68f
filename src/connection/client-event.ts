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
  readonly isSubscribed: (channel: string) => boolean;
  /** Takes one event from the connection's rate limit; false when it is spent. */
  readonly allow: () => boolean;
}

export type ClientEventCheck =
  { ok: true; channel: string } | { ok: false; code: number | null; message: string };

export function checkClientEvent(input: ClientEventInput): ClientEventCheck {
  const { app, event, channel, data } = input;
  const refuse = (message: string): ClientEventCheck => ({ ok: false, code: null, message });
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
  if (!input.isSubscribed(channel)) {
    return refuse(
      `Cannot broadcast client event (connection not subscribed to channel ${channel})`,
    );
  }
  if (!input.allow()) {
    const message = 'Client event rejected due to rate limit';
    return { ok: false, code: ErrorCode.ClientEventRateLimit, message };
  }
  const size =
    typeof data === 'string' ? utf8Length(data) : utf8Length(JSON.stringify(data ?? null));
  if (size > app.maxEventPayloadBytes) {
    return refuse(`Client event data is larger than ${app.maxEventPayloadBytes} bytes`);
  }
  return { ok: true, channel };
}
