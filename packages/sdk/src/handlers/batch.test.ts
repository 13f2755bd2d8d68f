import { describe, expect, it, vi } from 'vitest';
import { Pushwire } from '../pushwire.ts';
import { createChannelAuthHandler } from './channel-auth.ts';
import type { AuthHttpRequest } from './types.ts';

const sdk = new Pushwire({ appId: '1', key: 'app-key', secret: 'app-secret' });

const post = (
  body: string | Record<string, unknown>,
  contentType = 'application/x-www-form-urlencoded',
): AuthHttpRequest<null> => ({
  method: 'POST',
  query: new URLSearchParams(),
  contentType,
  body,
  request: null,
});

function endpoint(onError = vi.fn()) {
  return createChannelAuthHandler<null>({
    sdk,
    onError,
    jsonp: true,
    maxBatchSize: 3,
    authorize: (_request, { channelName }) => {
      if (channelName === 'private-boom') throw new Error('boom');
      if (channelName.startsWith('presence-')) return { user_id: 'u1' };
      return channelName !== 'private-no';
    },
  });
}

/** The body the pusher-js-auth plugin sends: it starts with `&`, indexes are not escaped. */
const pluginBody = (socketId: string, channels: string[]) =>
  `&socket_id=${socketId}` +
  channels.map((c, i) => `&channel_name[${i}]=${encodeURIComponent(c)}`).join('');

describe('createChannelAuthHandler (pusher-js-auth batches)', () => {
  it('answers every channel in one body keyed by channel with a status each', async () => {
    const response = await endpoint()(
      post(pluginBody('1.2', ['private-a', 'private-no', 'presence-r'])),
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      'private-a': { status: 200, data: sdk.authorizeChannel('1.2', 'private-a') },
      'private-no': { status: 403 },
      'presence-r': {
        status: 200,
        data: sdk.authorizeChannel('1.2', 'presence-r', { user_id: 'u1' }),
      },
    });
  });

  it('gives one channel 500 without failing the others when authorize throws for it', async () => {
    const onError = vi.fn();
    const response = await endpoint(onError)(
      post(pluginBody('1.2', ['private-boom', 'private-a'])),
    );
    const body = JSON.parse(response.body);
    expect(body['private-boom']).toEqual({ status: 500 });
    expect(body['private-a'].status).toBe(200);
    expect(onError).toHaveBeenCalledOnce();
  });

  it('gives an invalid channel name 400 inside the batch', async () => {
    const response = await endpoint()(post(pluginBody('1.2', ['bad name', 'private-a'])));
    const body = JSON.parse(response.body);
    expect(body['bad name']).toEqual({ status: 400 });
    expect(body['private-a'].status).toBe(200);
  });

  it('keys a channel called __proto__ like any other', async () => {
    const response = await endpoint()(post(pluginBody('1.2', ['__proto__'])));
    expect(JSON.parse(response.body)).toEqual(
      JSON.parse(
        '{"__proto__":{"status":200,"data":' +
          JSON.stringify(sdk.authorizeChannel('1.2', '__proto__')) +
          '}}',
      ),
    );
  });

  it('reads channel lists a body parser already turned into an array', async () => {
    const response = await endpoint()(
      post({ socket_id: '1.2', channel_name: ['private-a', 'private-b'] }),
    );
    expect(Object.keys(JSON.parse(response.body))).toEqual(['private-a', 'private-b']);
  });

  it('reads channel lists a body parser turned into an object with numeric keys', async () => {
    const response = await endpoint()(
      post({ socket_id: '1.2', channel_name: { 1: 'private-b', 0: 'private-a' } }),
    );
    expect(Object.keys(JSON.parse(response.body))).toEqual(['private-a', 'private-b']);
  });

  it('reads a JSON body with a channel_name array', async () => {
    const body = JSON.stringify({ socket_id: '1.2', channel_name: ['private-a'] });
    const response = await endpoint()(post(body, 'application/json'));
    expect(JSON.parse(response.body)['private-a'].status).toBe(200);
  });

  it('answers 400 when the batch is larger than maxBatchSize', async () => {
    const response = await endpoint()(
      post(pluginBody('1.2', ['private-a', 'private-b', 'private-c', 'private-d'])),
    );
    expect(response.status).toBe(400);
  });

  it('answers 400 when a batch entry is not a string', async () => {
    const response = await endpoint()(post({ socket_id: '1.2', channel_name: ['private-a', 5] }));
    expect(response.status).toBe(400);
  });

  it('answers 400 when the batch socket_id is missing', async () => {
    const response = await endpoint()(post('&channel_name[0]=private-a'));
    expect(response.status).toBe(400);
  });

  it('answers 400 when a batch arrives over the jsonp transport', async () => {
    const response = await endpoint()({
      method: 'GET',
      query: new URLSearchParams(
        "callback=Pusher.auth_callbacks['1']&socket_id=1.2&channel_name[0]=private-a",
      ),
      request: null,
    });
    expect(response.status).toBe(400);
  });

  it('decides a channel named twice once', async () => {
    const authorize = vi.fn(() => true);
    const handler = createChannelAuthHandler<null>({ sdk, authorize });
    await handler(post(pluginBody('1.2', ['private-a', 'private-a'])));
    expect(authorize).toHaveBeenCalledOnce();
  });

  it('tells authorize each channel came in a batch', async () => {
    const authorize = vi.fn(() => true);
    const handler = createChannelAuthHandler<null>({ sdk, authorize });
    await handler(post(pluginBody('1.2', ['private-a']) + '&csrf=x'));
    expect(authorize).toHaveBeenCalledWith(null, {
      socketId: '1.2',
      channelName: 'private-a',
      transport: 'ajax',
      batch: true,
      params: { csrf: 'x' },
    });
  });
});
