import { describe, expect, it, vi } from 'vitest';
import { Pushwire } from '../pushwire.ts';
import { createChannelAuthHandler, type AuthorizeDecision } from './channel-auth.ts';
import type { AuthHttpRequest } from './types.ts';

const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const sdk = new Pushwire({
  appId: '1',
  key: 'app-key',
  secret: 'app-secret',
  encryptionMasterKeyBase64: MASTER_KEY,
});
const noMasterKeySdk = new Pushwire({ appId: '1', key: 'app-key', secret: 'app-secret' });

interface FakeRequest {
  headers: Record<string, string>;
}
const fakeRequest: FakeRequest = { headers: { 'x-csrf-token': 'tok' } };

const post = (
  body: string,
  contentType = 'application/x-www-form-urlencoded',
): AuthHttpRequest<FakeRequest> => ({
  method: 'POST',
  query: new URLSearchParams(),
  contentType,
  body,
  request: fakeRequest,
});

const get = (query: string): AuthHttpRequest<FakeRequest> => ({
  method: 'GET',
  query: new URLSearchParams(query),
  request: fakeRequest,
});

function handler(
  decide: (channel: string) => AuthorizeDecision | Promise<AuthorizeDecision> = () => true,
  extra: {
    jsonp?: boolean;
    onError?: (error: unknown) => void;
    sdk?: Pushwire;
    maxBatchSize?: number;
  } = {},
) {
  return createChannelAuthHandler<FakeRequest>({
    sdk: extra.sdk ?? sdk,
    authorize: (_request, { channelName }) => decide(channelName),
    jsonp: extra.jsonp ?? true,
    onError: extra.onError ?? (() => undefined),
    ...(extra.maxBatchSize ? { maxBatchSize: extra.maxBatchSize } : {}),
  });
}

describe('createChannelAuthHandler (ajax transport)', () => {
  it('answers 200 JSON with the signed auth when authorize allows a private channel', async () => {
    const response = await handler()(post('socket_id=123.456&channel_name=private-foo'));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toBe(JSON.stringify(sdk.authorizeChannel('123.456', 'private-foo')));
  });

  it('marks responses uncacheable and unsniffable when it answers', async () => {
    const response = await handler()(post('socket_id=1.1&channel_name=private-a'));
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('signs the presence data authorize returns when the channel is presence', async () => {
    const member = { user_id: 'alice', user_info: { name: 'Alice' } };
    const response = await handler(() => member)(post('socket_id=1.2&channel_name=presence-room'));
    expect(JSON.parse(response.body)).toEqual(sdk.authorizeChannel('1.2', 'presence-room', member));
    expect(JSON.parse(response.body).channel_data).toBe(JSON.stringify(member));
  });

  it('adds the shared secret when the channel is encrypted', async () => {
    const response = await handler()(post('socket_id=1.2&channel_name=private-encrypted-x'));
    expect(JSON.parse(response.body).shared_secret).toBe(
      sdk.authorizeChannel('1.2', 'private-encrypted-x').shared_secret,
    );
  });

  it('signs as private when authorize returns presence data for a private channel', async () => {
    const response = await handler(() => ({ user_id: 'x' }))(
      post('socket_id=1.2&channel_name=private-a'),
    );
    expect(JSON.parse(response.body)).toEqual({
      auth: sdk.authorizeChannel('1.2', 'private-a').auth,
    });
  });

  it('reads a JSON body when the content type is JSON', async () => {
    const body = JSON.stringify({ socket_id: '5.6', channel_name: 'private-json' });
    const response = await handler()(post(body, 'application/json'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).auth).toBe(sdk.authorizeChannel('5.6', 'private-json').auth);
  });

  it('reads a body a framework already parsed into an object', async () => {
    const input = { ...post(''), body: { socket_id: '5.6', channel_name: 'private-obj' } };
    const response = await handler()(input);
    expect(JSON.parse(response.body).auth).toBe(sdk.authorizeChannel('5.6', 'private-obj').auth);
  });

  it('hands authorize the request untouched and the parsed context', async () => {
    const authorize = vi.fn(() => true);
    const endpoint = createChannelAuthHandler<FakeRequest>({ sdk, authorize });
    await endpoint(post('socket_id=1.2&channel_name=private-a&team=blue'));
    expect(authorize).toHaveBeenCalledWith(fakeRequest, {
      socketId: '1.2',
      channelName: 'private-a',
      transport: 'ajax',
      batch: false,
      params: { team: 'blue' },
    });
  });

  for (const decision of [false, null, undefined]) {
    it(`answers 403 when authorize returns ${String(decision)}`, async () => {
      const response = await handler(() => decision)(post('socket_id=1.1&channel_name=private-a'));
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toBe('application/json');
    });
  }

  it('answers 403 when an async authorize resolves to false', async () => {
    const response = await handler(async () => false)(post('socket_id=1.1&channel_name=private-a'));
    expect(response.status).toBe(403);
  });

  const badRequests: Array<[string, string]> = [
    ['socket_id is missing', 'channel_name=private-a'],
    ['socket_id is empty', 'socket_id=&channel_name=private-a'],
    ['socket_id is malformed', 'socket_id=1.2.3&channel_name=private-a'],
    ['socket_id has a space', 'socket_id=1.2%20&channel_name=private-a'],
    ['channel_name is missing', 'socket_id=1.1'],
    ['channel_name has a forbidden character', 'socket_id=1.1&channel_name=private-a%23b'],
    ['channel_name is too long', `socket_id=1.1&channel_name=private-${'x'.repeat(200)}`],
  ];
  for (const [condition, body] of badRequests) {
    it(`answers 400 when ${condition}`, async () => {
      const authorize = vi.fn(() => true);
      const endpoint = createChannelAuthHandler<FakeRequest>({ sdk, authorize });
      const response = await endpoint(post(body));
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error).toEqual(expect.any(String));
      expect(authorize).not.toHaveBeenCalled();
    });
  }

  it('answers 400 when a JSON body is not an object', async () => {
    const response = await handler()(post('[1,2]', 'application/json'));
    expect(response.status).toBe(400);
  });

  it('answers 400 when a JSON body does not parse', async () => {
    const response = await handler()(post('{nope', 'application/json'));
    expect(response.status).toBe(400);
  });

  it('answers 405 with an Allow header when the method is PUT', async () => {
    const response = await handler()({
      ...post('socket_id=1.1&channel_name=private-a'),
      method: 'PUT',
    });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });

  it('answers 405 to GET when the jsonp transport is not enabled', async () => {
    const endpoint = createChannelAuthHandler<FakeRequest>({ sdk, authorize: () => true });
    const response = await endpoint(get('callback=cb&socket_id=1.1&channel_name=private-a'));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it('answers 500 and reports the error when authorize throws', async () => {
    const onError = vi.fn();
    const boom = new Error('database down');
    const response = await handler(
      () => {
        throw boom;
      },
      { onError },
    )(post('socket_id=1.1&channel_name=private-a'));
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('database down');
    expect(onError).toHaveBeenCalledWith(boom, fakeRequest);
  });

  it('answers 500 when authorize returns presence data without user_id', async () => {
    const onError = vi.fn();
    const response = await handler(() => ({ user_info: {} }) as never, { onError })(
      post('socket_id=1.1&channel_name=presence-a'),
    );
    expect(response.status).toBe(500);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'invalid_presence_data' });
  });

  it('answers 500 when an encrypted channel is allowed but no master key is set', async () => {
    const onError = vi.fn();
    const response = await handler(() => true, { sdk: noMasterKeySdk, onError })(
      post('socket_id=1.1&channel_name=private-encrypted-a'),
    );
    expect(response.status).toBe(500);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'missing_master_key' });
  });
});
