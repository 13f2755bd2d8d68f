/**
 * The bytes of a webhook request (docs/protocol.md §12): `{"time_ms":…,"events":[…]}` signed with
 * HMAC-SHA256 of the app secret over exactly those bytes. Pure.
 */
import { hmacSha256Hex } from '../auth/hmac.ts';
import type { ChannelEvent } from '../channels/channel-events.ts';

export type WebhookEvent = Record<string, unknown> & { name: ChannelEvent['name'] };

/** A ChannelEvent in Pusher's wire form; client event data is always a string there. */
export function toWebhookEvent(event: ChannelEvent): WebhookEvent {
  switch (event.name) {
    case 'member_added':
    case 'member_removed':
      return { name: event.name, channel: event.channel, user_id: event.userId };
    case 'client_event':
      return {
        name: event.name,
        channel: event.channel,
        event: event.event,
        // [U] An object sent by the client is serialised with JSON.stringify (§12).
        data: typeof event.data === 'string' ? event.data : JSON.stringify(event.data ?? null),
        socket_id: event.socketId,
        ...(event.userId === undefined ? {} : { user_id: event.userId }),
      };
    case 'subscription_count':
      return {
        name: event.name,
        channel: event.channel,
        subscription_count: event.subscriptionCount,
      };
    default:
      return { name: event.name, channel: event.channel };
  }
}

export interface WebhookRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** `Content-Type` must be exactly `application/json`: the official SDK rejects a charset. */
export function webhookRequest(
  app: { key: string; secret: string },
  events: readonly WebhookEvent[],
  timeMs: number,
): WebhookRequest {
  const body = JSON.stringify({ time_ms: timeMs, events });
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Pusher-Key': app.key,
      'X-Pusher-Signature': hmacSha256Hex(app.secret, body),
    },
  };
}
