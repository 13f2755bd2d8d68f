import PusherServer from 'pusher';
import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../test/helpers/vectors.ts';
import { toWebhookEvent, webhookRequest, type WebhookEvent } from './payload.ts';

const vectors = loadVectors();
const app = { key: vectors.app.key, secret: vectors.app.secret };
const webhookVectors = vectors.webhooks;

describe('webhook payload', () => {
  it.each(webhookVectors.map((v) => [v.note, v] as const))(
    'reproduces the SDK body and headers: %s',
    (_note, vector) => {
      const { time_ms: timeMs, events } = JSON.parse(vector.input.raw_body) as {
        time_ms: number;
        events: WebhookEvent[];
      };
      const request = webhookRequest(app, events, timeMs);
      expect(request.body).toBe(vector.input.raw_body);
      expect(request.headers).toEqual(vector.expected.headers);
    },
  );

  it('is accepted by the official SDK', () => {
    const request = webhookRequest(app, [{ name: 'channel_occupied', channel: 'c' }], 1);
    const sdk = new PusherServer({
      appId: '1',
      key: app.key,
      secret: app.secret,
      host: '127.0.0.1',
    });
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    expect(sdk.webhook({ headers, rawBody: request.body }).isValid()).toBe(true);
  });

  it('maps a presence client event to the wire form, data as a string', () => {
    const event = toWebhookEvent({
      name: 'client_event',
      appId: 'a',
      channel: 'presence-room',
      event: 'client-typing',
      data: { text: 'héllo 👋' },
      socketId: '123.456',
      userId: 'alice',
    });
    expect(JSON.stringify(event)).toBe(
      JSON.stringify({
        name: 'client_event',
        channel: 'presence-room',
        event: 'client-typing',
        data: '{"text":"héllo 👋"}',
        socket_id: '123.456',
        user_id: 'alice',
      }),
    );
  });

  it('maps member and subscription_count events with snake_case fields', () => {
    expect(
      toWebhookEvent({ name: 'member_removed', appId: 'a', channel: 'presence-x', userId: '42' }),
    ).toEqual({
      name: 'member_removed',
      channel: 'presence-x',
      user_id: '42',
    });
    expect(
      toWebhookEvent({
        name: 'subscription_count',
        appId: 'a',
        channel: 'c',
        subscriptionCount: 3,
      }),
    ).toEqual({ name: 'subscription_count', channel: 'c', subscription_count: 3 });
  });
});
