/**
 * The rules a `client-` event must pass before it is relayed (docs/protocol.md §7), in the order the
 * spec gives them; the per-connection rate limit is the Session's. Pure.
 */
import { channelKind } from '../protocol/channel-kind.ts';
import { eventNameProblem, utf8Length } from '../protocol/names.ts';

export interface ClientEventInput {
  readonly app: { enableClientEvents: boolean; maxEventPayloadBytes: number };
  readonly maxEventNameLength: number;
  readonly event: string;
  readonly channel: string | undefined;
  readonly data: unknown;
  /** Whether the sending socket's subscription to `channel` has succeeded. */
  readonly isSubscribed: (channel: string) => boolean;
}

export type ClientEventCheck = { ok: true; channel: string } | { ok: false; message: string };

export function checkClientEvent(input: ClientEventInput): ClientEventCheck {
  const { app, event, channel, data } = input;
  const refuse = (message: string): ClientEventCheck => ({ ok: false, message });
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
  const size =
    typeof data === 'string' ? utf8Length(data) : utf8Length(JSON.stringify(data ?? null));
  if (size > app.maxEventPayloadBytes) {
    return refuse(`Client event data is larger than ${app.maxEventPayloadBytes} bytes`);
  }
  return { ok: true, channel };
}
