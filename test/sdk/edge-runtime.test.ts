/**
 * `pushwire/sdk` in a runtime that is not Node: the SDK is bundled for a neutral platform (any
 * `node:` import would fail the build) and run in a fresh V8 context holding only Web-standard
 * globals, as on Deno, Bun or an edge worker: no `process`, `Buffer` or `require`.
 * esbuild is a devDependency.
 */
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Sdk from '../../packages/sdk/src/index.ts';
import { loadVectors } from '../helpers/vectors.ts';

const vectors = loadVectors();
let sdk: typeof Sdk;
let context: Record<string, unknown>;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('../../packages/sdk/src/index.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'neutral',
    format: 'iife',
    globalName: 'PushwireSdk',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  context = {
    // What every such runtime provides (WinterTC minimum common API), and nothing Node-only.
    ...{
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      AbortController,
      Headers,
      Request,
      Response,
    },
    ...{ crypto: globalThis.crypto, btoa, atob, fetch, setTimeout, clearTimeout, console },
  };
  sdk = runInNewContext(`${code}; PushwireSdk`, context) as typeof Sdk;
});

describe('the SDK on a Web-standard runtime', () => {
  it('runs without process, Buffer or require in scope', () => {
    expect(runInNewContext('[typeof process, typeof Buffer, typeof require]', context)).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ]);
  });

  it('signs presence and encrypted channel auth exactly as the vectors say', () => {
    const { app } = vectors;
    const pushwire = new sdk.Pushwire({
      appId: app.app_id,
      key: app.key,
      secret: app.secret,
      encryptionMasterKeyBase64: app.encryption_master_key_base64,
    });
    for (const { input, expected } of vectors.presence_channel_auth) {
      const data = input.channel_data_object as { user_id: string };
      const body = pushwire.authorizeChannel(input.socket_id, input.channel_name, data);
      expect(JSON.stringify(body)).toBe(expected.response_body);
    }
    for (const { input, expected } of vectors.encrypted_channel_auth) {
      const body = pushwire.authorizeChannel(input.socket_id, input.channel_name);
      expect(JSON.stringify(body)).toBe(expected.response_body);
    }
  });

  it('publishes an encrypted event through an injected fetch', async () => {
    const sent: string[] = [];
    const pushwire = new sdk.Pushwire({
      appId: '1',
      key: 'k',
      secret: 's',
      encryptionMasterKeyBase64: vectors.app.encryption_master_key_base64,
      fetch: async (_url, init) => {
        sent.push(String(init?.body));
        return new Response('{}');
      },
    });
    await pushwire.trigger('private-encrypted-x', 'e', { secret: 1 });
    expect(Object.keys(JSON.parse(JSON.parse(sent[0] ?? '{}').data))).toEqual([
      'nonce',
      'ciphertext',
    ]);
  });

  it('serves the channel auth endpoint through the fetch adapter', async () => {
    const pushwire = new sdk.Pushwire({ appId: '1', key: 'k', secret: 's' });
    const handler = sdk.toFetchHandler(
      sdk.createChannelAuthHandler<Request>({ sdk: pushwire, authorize: () => true }),
    );
    const response = await handler(
      new Request('https://app.test/pusher/auth', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'socket_id=1.2&channel_name=private-a',
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(pushwire.authorizeChannel('1.2', 'private-a'));
  });
});
