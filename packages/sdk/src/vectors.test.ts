/** Every vector of vectors.json the SDK is concerned with, reproduced byte for byte. */
import { describe, expect, it } from 'vitest';
import { pathAndQuery, recordingFetch } from '../../../test/sdk/fake-fetch.ts';
import { loadVectors, type SignedRequestVector } from '../../../test/helpers/vectors.ts';
import { base64ToBytes } from './crypto.ts';
import { PushwireSdkError } from './errors.ts';
import { Pushwire } from './pushwire.ts';
import { createSignedQueryString } from './signed-query.ts';
import { Token } from './token.ts';

const vectors = loadVectors();
const { app } = vectors;

function sdkFor(overrides: { fetch?: typeof fetch; nonce?: string; masterKey?: boolean } = {}) {
  const nonce = overrides.nonce === undefined ? undefined : base64ToBytes(overrides.nonce);
  return new Pushwire({
    appId: app.app_id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: 80,
    ...(overrides.masterKey === false
      ? {}
      : { encryptionMasterKeyBase64: app.encryption_master_key_base64 }),
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    now: () => 1_700_000_000_000,
    ...(nonce ? { randomBytes: () => nonce } : {}),
  });
}

describe('Pushwire.authorizeChannel (vectors private_channel_auth)', () => {
  for (const { input, expected } of vectors.private_channel_auth) {
    it(`gives the SDK's response body for ${input.socket_id} ${input.channel_name.slice(0, 30)}`, () => {
      const body = sdkFor().authorizeChannel(input.socket_id, input.channel_name);
      expect(JSON.stringify(body)).toBe(expected.response_body);
      expect(body.auth).toBe(expected.auth);
    });
  }
});

describe('Pushwire.authorizeChannel (vectors presence_channel_auth)', () => {
  for (const { note, input, expected } of vectors.presence_channel_auth) {
    it(`gives the SDK's channel_data, auth and body when ${note}`, () => {
      const body = sdkFor().authorizeChannel(
        input.socket_id,
        input.channel_name,
        input.channel_data_object as { user_id: string },
      );
      expect(body.channel_data).toBe(expected.channel_data);
      expect(body.auth).toBe(expected.auth);
      expect(JSON.stringify(body)).toBe(expected.response_body);
    });
  }
});

describe('Pushwire.authorizeChannel (vectors encrypted_channel_auth)', () => {
  for (const { input, expected } of vectors.encrypted_channel_auth) {
    it(`adds the shared secret for ${input.channel_name}`, () => {
      const sdk = sdkFor();
      const body = sdk.authorizeChannel(input.socket_id, input.channel_name);
      expect(JSON.stringify(body)).toBe(expected.response_body);
      const hex = [...sdk.channelSharedSecret(input.channel_name)]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('');
      expect(hex).toBe(expected.shared_secret_hex);
    });
  }
});

describe('Pushwire.authenticateUser (vectors user_authentication)', () => {
  for (const { input, expected } of vectors.user_authentication) {
    it(`gives the SDK's response body for user ${String(input.user_data_object.id)}`, () => {
      const body = sdkFor().authenticateUser(
        input.socket_id,
        input.user_data_object as { id: string },
      );
      expect(body.user_data).toBe(expected.user_data);
      expect(JSON.stringify(body)).toBe(expected.response_body);
    });
  }
});

/** How each captured request was made with the official SDK, replayed on ours. */
const calls: Record<string, (sdk: Pushwire) => Promise<Response>> = {
  'trigger one channel, object data': (sdk) =>
    sdk.trigger('my-channel', 'my-event', { message: 'hello world' }),
  'trigger several channels, socket_id exclusion, info': (sdk) =>
    sdk.trigger(
      ['presence-room', 'my-channel'],
      'price-update',
      { price: 10.5, sym: 'ABC' },
      { socket_id: '123.456', info: 'user_count,subscription_count' },
    ),
  'trigger with string data and unicode': (sdk) =>
    sdk.trigger('cache-ticker', 'tick', 'naïve "quoted" ✓'),
  'trigger batch': (sdk) =>
    sdk.triggerBatch([
      { channel: 'my-channel', name: 'e1', data: { a: 1 } },
      {
        channel: 'presence-room',
        name: 'e2',
        data: 'already a string',
        socket_id: '55.66',
        info: 'user_count',
      },
    ]),
  'send to user (server-to-user channel)': (sdk) => sdk.sendToUser('42', 'notice', { text: 'hi' }),
  'terminate user connections': (sdk) => sdk.terminateUserConnections('42'),
  'get channels, no params': (sdk) => sdk.get({ path: '/channels' }),
  'get channels filtered with info': (sdk) =>
    sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }),
  'get one channel with info': (sdk) =>
    sdk.get({ path: '/channels/presence-room', params: { info: 'user_count,subscription_count' } }),
  'get presence users': (sdk) => sdk.get({ path: '/channels/presence-room/users' }),
  'trigger to encrypted channel (nonce pinned)': (sdk) =>
    sdk.trigger('private-encrypted-foo', 'secret-event', { card: '4111' }),
};

describe('Pushwire HTTP methods (vectors signed_http_requests)', () => {
  for (const vector of vectors.signed_http_requests) {
    it(`sends the SDK's exact request for: ${vector.note}`, async () => {
      const call = calls[vector.note];
      if (!call) throw new Error(`no call mapped for vector "${vector.note}"`);
      const { fetch, requests } = recordingFetch();
      await call(
        sdkFor({ fetch, ...(vector.encryption ? { nonce: vector.encryption.nonce_base64 } : {}) }),
      );
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request?.method).toBe(vector.input.method);
      expect(pathAndQuery(request?.url ?? '')).toBe(vector.expected.url_path_and_query);
      expect(request?.body).toBe(vector.input.body ?? undefined);
      expect(request?.headers['content-type']).toBe(vector.input.content_type ?? undefined);
    });
  }

  for (const vector of vectors.signed_http_requests) {
    it(`signs the raw request into the SDK's query string for: ${vector.note}`, () => {
      expect(signRaw(vector)).toBe(vector.expected.query_string);
    });
  }
});

function signRaw(vector: SignedRequestVector): string {
  const { input } = vector;
  return createSignedQueryString(
    new Token(app.key, app.secret),
    {
      method: input.method,
      path: input.path,
      params: input.extra_query_params,
      ...(input.body === null ? {} : { body: input.body }),
    },
    input.auth_timestamp,
  );
}

describe('Pushwire.webhook (vectors webhooks)', () => {
  for (const { note, input, expected } of vectors.webhooks) {
    const headers = (overrides: Record<string, string> = {}) => {
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(expected.headers)) lower[k.toLowerCase()] = v;
      return { ...lower, ...overrides };
    };

    it(`accepts the signed webhook: ${note}`, () => {
      const hook = sdkFor().webhook({ headers: headers(), rawBody: input.raw_body });
      expect(hook.isValid()).toBe(expected.sdk_isValid);
      expect(hook.getData()).toEqual(JSON.parse(input.raw_body));
    });

    it(`refuses a charset in the content type: ${note}`, () => {
      const hook = sdkFor().webhook({
        headers: headers({ 'content-type': 'application/json; charset=utf-8' }),
        rawBody: input.raw_body,
      });
      expect(hook.isValid()).toBe(expected.sdk_isValid_if_content_type_has_charset);
    });

    it(`refuses another key header: ${note}`, () => {
      const hook = sdkFor().webhook({
        headers: headers({ 'x-pusher-key': 'other-key' }),
        rawBody: input.raw_body,
      });
      expect(hook.isValid()).toBe(expected.sdk_isValid_if_key_header_differs);
    });
  }
});

/** Runs one sdk_input_validation case; resolves to whether the SDK accepted it. */
function accepts(what: string, value: unknown): boolean {
  const { fetch } = recordingFetch();
  const sdk = sdkFor({ fetch });
  const attempt: Record<string, () => unknown> = {
    socket_id: () => sdk.authorizeChannel(value as string, 'private-a'),
    channel_name: () => sdk.authorizeChannel('1.1', value as string),
    user_data: () => sdk.authenticateUser('1.1', value as { id: string }),
    encrypted_channel_without_master_key: () =>
      sdkFor({ masterKey: false }).authorizeChannel('1.1', value as string),
    trigger_event_name_length: () => sdk.trigger('a', 'e'.repeat(value as number), {}),
    trigger_channel_count: () =>
      sdk.trigger(
        Array.from({ length: value as number }, (_, i) => `c${i}`),
        'e',
        {},
      ),
    trigger_to_two_channels_one_encrypted: () => sdk.trigger(value as string[], 'e', {}),
  };
  const run = attempt[what];
  if (!run) throw new Error(`no check mapped for "${what}"`);
  try {
    void run();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(PushwireSdkError);
    return false;
  }
}

describe('Pushwire input validation (vectors sdk_input_validation)', () => {
  for (const { what, value, sdk_accepts } of vectors.sdk_input_validation) {
    const shown = JSON.stringify(value).slice(0, 40);
    it(`${sdk_accepts ? 'accepts' : 'refuses'} ${what} ${shown}`, () => {
      expect(accepts(what, value)).toBe(sdk_accepts);
    });
  }
});

describe('Pushwire (vectors pusher_docs_worked_examples)', () => {
  const docs = vectors.pusher_docs_worked_examples;
  const docsSdk = new Pushwire({
    appId: docs.credentials.app_id,
    key: docs.credentials.key,
    secret: docs.credentials.secret,
    now: () => docs.http_api.input.auth_timestamp * 1000,
  });

  it('reproduces the private channel example', () => {
    const { socket_id, channel_name } = docs.private_channel.input;
    expect(docsSdk.authorizeChannel(socket_id, channel_name).auth).toBe(
      docs.private_channel.expected.auth,
    );
  });

  it('reproduces the presence channel example with a numeric user_id', () => {
    const { socket_id, channel_name, channel_data_object } = docs.presence_channel.input;
    const body = docsSdk.authorizeChannel(
      socket_id,
      channel_name,
      channel_data_object as { user_id: number },
    );
    expect(body).toEqual(docs.presence_channel.expected);
  });

  it("reproduces the signature the docs printed for the erratum's channel data", () => {
    const { socket_id, channel_name } = docs.presence_channel.input;
    const data = JSON.parse(
      docs.presence_channel.docs_erratum.printed_signature_matches_channel_data,
    );
    expect(docsSdk.authorizeChannel(socket_id, channel_name, data).auth).toBe(
      docs.presence_channel.docs_erratum.sdk_auth_for_that_channel_data,
    );
  });

  it('reproduces the user authentication example', () => {
    const { socket_id, user_data_object } = docs.user_authentication.input;
    expect(docsSdk.authenticateUser(socket_id, user_data_object as { id: string })).toEqual(
      docs.user_authentication.expected,
    );
  });

  it('reproduces the HTTP API signing example', () => {
    const { method, path, body } = docs.http_api.input;
    expect(docsSdk.createSignedQueryString({ method, path, body })).toBe(
      docs.http_api.expected.query_string,
    );
  });
});
