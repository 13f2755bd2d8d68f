import PusherServer from 'pusher';
import { describe, expect, it } from 'vitest';
import { channelKind } from '../protocol/channel-kind.ts';
import { authorizeSubscription } from './authorize.ts';

const app = { key: 'app-key', secret: 'app-secret', maxPresenceUserInfoBytes: 1024 };
const sdk = new PusherServer({ appId: '1', key: app.key, secret: app.secret, host: '127.0.0.1' });

const subscribe = (channel: string, response: { auth: string; channel_data?: string }) =>
  authorizeSubscription({
    app,
    socketId: '1.2',
    channel,
    kind: channelKind(channel),
    auth: response.auth,
    channelData: response.channel_data,
    user: undefined,
  });

describe('authorizeSubscription', () => {
  it('accepts a private channel signed over socket_id:channel', () => {
    expect(subscribe('private-a', sdk.authorizeChannel('1.2', 'private-a'))).toEqual({ ok: true });
  });

  it('accepts a private channel the SDK signed with user data included (channel_data forwarded) [U]', () => {
    const response = sdk.authorizeChannel('1.2', 'private-a', { user_id: 'u' });
    expect(response.channel_data).toBeDefined();
    expect(subscribe('private-a', response)).toEqual({ ok: true });
  });

  it('refuses a private channel whose channel_data was changed after signing', () => {
    const response = sdk.authorizeChannel('1.2', 'private-a', { user_id: 'u' });
    expect(subscribe('private-a', { ...response, channel_data: '{"user_id":"v"}' }).ok).toBe(false);
  });

  it('refuses a private channel signed for another socket', () => {
    const result = subscribe('private-a', sdk.authorizeChannel('9.9', 'private-a'));
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Invalid signature/) });
  });
});
