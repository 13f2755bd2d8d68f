import { describe, expect, it } from 'vitest';
import { pathAndQuery, recordingFetch } from '../../../test/sdk/fake-fetch.ts';
import { hmacSha256Hex } from './crypto.ts';
import { PushwireSdkError, RequestError, WebHookError } from './errors.ts';
import { Pushwire } from './pushwire.ts';
import { Token } from './token.ts';

const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const base = { appId: '1', key: 'k', secret: 's' };

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PushwireSdkError);
    return (error as PushwireSdkError).code;
  }
  return undefined;
};

describe('Pushwire options', () => {
  it('refuses a missing key with invalid_options', () => {
    expect(codeOf(() => new Pushwire({ ...base, key: '' }))).toBe('invalid_options');
  });

  it('refuses a missing secret with invalid_options', () => {
    expect(codeOf(() => new Pushwire({ ...base, secret: undefined as never }))).toBe(
      'invalid_options',
    );
  });

  it('refuses useTLS and encrypted together', () => {
    expect(codeOf(() => new Pushwire({ ...base, useTLS: true, encrypted: true }))).toBe(
      'invalid_options',
    );
  });

  it('refuses a master key that is not base64', () => {
    expect(codeOf(() => new Pushwire({ ...base, encryptionMasterKeyBase64: 'not base64!' }))).toBe(
      'invalid_options',
    );
  });

  it('refuses a master key that does not decode to 32 bytes, without echoing it', () => {
    try {
      new Pushwire({ ...base, encryptionMasterKeyBase64: 'c2VjcmV0' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('6 bytes');
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });

  it('accepts the deprecated 32-character encryptionMasterKey', () => {
    const sdk = new Pushwire({ ...base, encryptionMasterKey: 'x'.repeat(32) });
    expect(sdk.channelSharedSecret('private-encrypted-a')).toHaveLength(32);
  });

  it('builds an https base URL when useTLS is set', () => {
    expect(new Pushwire({ ...base, host: 'h', port: 8443, useTLS: true }).config.baseUrl).toBe(
      'https://h:8443',
    );
  });

  it('defaults the host as the official SDK does when only a cluster is given', () => {
    expect(new Pushwire({ ...base, cluster: 'eu' }).config.baseUrl).toBe(
      'http://api-eu.pusher.com',
    );
  });

  it('reads app id, key, secret, host and port from a URL with forURL', () => {
    const sdk = Pushwire.forURL('https://the-key:the%2Fsecret@example.test:9000/apps/my-app');
    expect(sdk.config).toMatchObject({
      appId: 'my-app',
      key: 'the-key',
      baseUrl: 'https://example.test:9000',
    });
    const direct = new Pushwire({ appId: 'my-app', key: 'the-key', secret: 'the/secret' });
    expect(sdk.authorizeChannel('1.1', 'private-a')).toEqual(
      direct.authorizeChannel('1.1', 'private-a'),
    );
  });

  it('keeps the official statics for instanceof checks', () => {
    expect(Pushwire.RequestError).toBe(RequestError);
    expect(Pushwire.WebHookError).toBe(WebHookError);
    expect(Pushwire.Token).toBe(Token);
  });
});

describe('Pushwire input errors', () => {
  const sdk = new Pushwire({ ...base, fetch: recordingFetch().fetch });

  it('names invalid_socket_id when the socket id is malformed', () => {
    expect(codeOf(() => sdk.authorizeChannel('1', 'private-a'))).toBe('invalid_socket_id');
  });

  it('names invalid_channel_name when the channel has a forbidden character', () => {
    expect(codeOf(() => sdk.authorizeChannel('1.1', 'private-a b'))).toBe('invalid_channel_name');
  });

  it('names channel_name_too_long when the channel is longer than 200', () => {
    expect(codeOf(() => sdk.authorizeChannel('1.1', 'a'.repeat(201)))).toBe(
      'channel_name_too_long',
    );
  });

  it('names invalid_presence_data when user_id is missing', () => {
    expect(
      codeOf(() => sdk.authorizeChannel('1.1', 'presence-a', { user_info: {} } as never)),
    ).toBe('invalid_presence_data');
  });

  it('names invalid_presence_data when user_id is an empty string', () => {
    expect(codeOf(() => sdk.authorizeChannel('1.1', 'presence-a', { user_id: '' }))).toBe(
      'invalid_presence_data',
    );
  });

  it('names invalid_user_data when the user has no id', () => {
    expect(codeOf(() => sdk.authenticateUser('1.1', { name: 'x' } as never))).toBe(
      'invalid_user_data',
    );
  });

  it('names missing_master_key when an encrypted channel is signed without one', () => {
    expect(codeOf(() => sdk.authorizeChannel('1.1', 'private-encrypted-a'))).toBe(
      'missing_master_key',
    );
  });

  it('names invalid_user_id when sendToUser gets an empty id', () => {
    expect(codeOf(() => sdk.sendToUser('', 'e', {}))).toBe('invalid_user_id');
  });

  it('names reserved_query_param when get tries to set auth_key', () => {
    expect(
      codeOf(() =>
        sdk.createSignedQueryString({ method: 'GET', path: '/x', params: { auth_key: 'z' } }),
      ),
    ).toBe('reserved_query_param');
  });

  it('throws synchronously, as the official SDK does, when trigger input is invalid', () => {
    expect(() => sdk.trigger('bad channel', 'e', {})).toThrow(PushwireSdkError);
  });
});

describe('Pushwire HTTP calls', () => {
  it('leaves the caller’s batch untouched when it encodes data', async () => {
    const { fetch, requests } = recordingFetch();
    const sdk = new Pushwire({ ...base, fetch, encryptionMasterKeyBase64: MASTER_KEY });
    const batch = [
      { channel: 'a', name: 'e', data: { n: 1 } },
      { channel: 'private-encrypted-b', name: 'e', data: { n: 2 } },
    ];
    await sdk.triggerBatch(batch);
    expect(batch[0]?.data).toEqual({ n: 1 });
    const sent = JSON.parse(requests[0]?.body ?? '') as { batch: Array<{ data: string }> };
    expect(sent.batch[0]?.data).toBe('{"n":1}');
    expect(Object.keys(JSON.parse(sent.batch[1]?.data ?? '{}'))).toEqual(['nonce', 'ciphertext']);
  });

  it('sends to the configured host and port', async () => {
    const { fetch, requests } = recordingFetch();
    await new Pushwire({ ...base, host: 'h.test', port: 81, fetch }).get({ path: '/channels' });
    expect(requests[0]?.url.startsWith('http://h.test:81/apps/1/channels?auth_key=k&')).toBe(true);
    expect(requests[0]?.headers['x-pusher-library']).toMatch(/^pushwire-sdk /);
  });

  it('rejects with RequestError carrying status and body when the server answers 4xx', async () => {
    const { fetch } = recordingFetch({ status: 413, body: '{"error":"too big"}' });
    const failure = await new Pushwire({ ...base, fetch })
      .trigger('a', 'e', {})
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RequestError);
    expect(failure).toMatchObject({
      status: 413,
      body: '{"error":"too big"}',
      code: 'request_failed',
    });
    expect(pathAndQuery((failure as RequestError).url)).toMatch(/^\/apps\/1\/events\?/);
  });

  it('rejects with RequestError when the timeout passes first', async () => {
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const failure = await new Pushwire({ ...base, fetch: hang, timeout: 20 })
      .get({ path: '/channels' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RequestError);
    expect((failure as RequestError).status).toBeUndefined();
  });

  it('rejects when no appId was given and an HTTP call is made', async () => {
    const sdk = new Pushwire({ key: 'k', secret: 's' } as never);
    await expect(sdk.get({ path: '/channels' })).rejects.toMatchObject({ code: 'invalid_options' });
  });
});

describe('Pushwire.webhook', () => {
  const sdk = new Pushwire(base);
  const rawBody = '{"time_ms":1700000000123,"events":[{"name":"channel_vacated","channel":"c"}]}';
  const signature = hmacSha256Hex('s', rawBody);

  it('reads a fetch Headers object', () => {
    const headers = new Headers({
      'Content-Type': 'application/json',
      'X-Pusher-Key': 'k',
      'X-Pusher-Signature': signature,
    });
    expect(sdk.webhook({ headers, rawBody }).isValid()).toBe(true);
  });

  it('gives events and time when valid', () => {
    const hook = sdk.webhook({
      headers: {
        'content-type': 'application/json',
        'x-pusher-key': 'k',
        'x-pusher-signature': signature,
      },
      rawBody,
    });
    expect(hook.getEvents()).toEqual([{ name: 'channel_vacated', channel: 'c' }]);
    expect(hook.getTime().getTime()).toBe(1_700_000_000_123);
  });

  it('accepts a signature of an extra token during key rotation', () => {
    const old = { key: 'old', secret: 'old-secret' };
    const hook = sdk.webhook({
      headers: {
        'content-type': 'application/json',
        'x-pusher-key': 'old',
        'x-pusher-signature': hmacSha256Hex('old-secret', rawBody),
      },
      rawBody,
    });
    expect(hook.isValid()).toBe(false);
    expect(hook.isValid(old)).toBe(true);
  });

  it('is invalid without a signature header', () => {
    const hook = sdk.webhook({
      headers: { 'content-type': 'application/json', 'x-pusher-key': 'k' },
      rawBody,
    });
    expect(hook.isValid()).toBe(false);
  });

  it('throws WebHookError from getData when the body is not JSON', () => {
    const hook = sdk.webhook({ headers: { 'content-type': 'application/json' }, rawBody: 'nope' });
    expect(hook.isBodyValid()).toBe(false);
    expect(() => hook.getData()).toThrow(WebHookError);
  });
});

describe('Pushwire secrets', () => {
  it('keeps the secret and master key out of config and out of JSON', () => {
    const sdk = new Pushwire({
      ...base,
      secret: 'top-secret-value',
      encryptionMasterKeyBase64: MASTER_KEY,
    });
    expect(JSON.stringify(sdk)).not.toContain('top-secret-value');
    expect(JSON.stringify(sdk.config)).not.toContain('top-secret-value');
    expect(sdk.config).not.toHaveProperty('masterKey');
  });
});
