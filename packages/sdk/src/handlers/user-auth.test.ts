import { describe, expect, it, vi } from 'vitest';
import { Pushwire } from '../pushwire.ts';
import { createUserAuthHandler, type AuthenticateDecision } from './user-auth.ts';
import type { AuthHttpRequest } from './types.ts';

const sdk = new Pushwire({ appId: '1', key: 'app-key', secret: 'app-secret' });
const user = { id: 'alice', user_info: { name: 'Alice' }, watchlist: ['bob'] };

const post = (body: string): AuthHttpRequest<null> => ({
  method: 'POST',
  query: new URLSearchParams(),
  contentType: 'application/x-www-form-urlencoded',
  body,
  request: null,
});

const endpoint = (decide: () => AuthenticateDecision = () => user, onError = vi.fn()) =>
  createUserAuthHandler<null>({ sdk, authenticate: decide, onError, jsonp: true });

describe('createUserAuthHandler', () => {
  it('answers 200 JSON with auth and user_data when authenticate returns a user', async () => {
    const response = await endpoint()(post('socket_id=1.2'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toBe(JSON.stringify(sdk.authenticateUser('1.2', user)));
  });

  for (const decision of [false, null, undefined] as const) {
    it(`answers 403 when authenticate returns ${String(decision)}`, async () => {
      expect((await endpoint(() => decision)(post('socket_id=1.2'))).status).toBe(403);
    });
  }

  it('answers 400 when socket_id is missing', async () => {
    expect((await endpoint()(post('x=1'))).status).toBe(400);
  });

  it('answers 400 when socket_id is malformed', async () => {
    expect((await endpoint()(post('socket_id=abc'))).status).toBe(400);
  });

  it('answers 500 when authenticate returns a user without id', async () => {
    const onError = vi.fn();
    const response = await endpoint(() => ({ name: 'x' }) as never, onError)(post('socket_id=1.2'));
    expect(response.status).toBe(500);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'invalid_user_data' });
  });

  it('answers the jsonp transport with a callback call', async () => {
    const response = await endpoint()({
      method: 'GET',
      query: new URLSearchParams({ callback: "Pusher.auth_callbacks['2']", socket_id: '1.2' }),
      request: null,
    });
    expect(response.headers['content-type']).toBe('application/javascript');
    expect(response.body).toBe(
      `Pusher.auth_callbacks['2'](${JSON.stringify(sdk.authenticateUser('1.2', user))});`,
    );
  });

  it('passes socket id, transport and params to authenticate', async () => {
    const authenticate = vi.fn(() => user);
    await createUserAuthHandler<null>({ sdk, authenticate })(post('socket_id=1.2&lang=fr'));
    expect(authenticate).toHaveBeenCalledWith(null, {
      socketId: '1.2',
      transport: 'ajax',
      params: { lang: 'fr' },
    });
  });
});
