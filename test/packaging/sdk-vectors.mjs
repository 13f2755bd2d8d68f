// Run by packages.test.ts with plain Node in a folder where only the packed @pushwire/sdk is
// installed: reproduces vectors.json (the official SDK's own outputs) through the public API.
// Usage: node sdk-vectors.mjs VECTORS_JSON; prints {"checked":N,"failures":[...]}.
/* global atob, Response */
import { readFileSync } from 'node:fs';
import { Pushwire, PushwireSdkError } from '@pushwire/sdk';

const vectors = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { app } = vectors;
const failures = [];
let checked = 0;
const check = (what, actual, expected) => {
  checked++;
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    failures.push({ what, actual, expected });
};
const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const hex = (array) => [...array].map((b) => b.toString(16).padStart(2, '0')).join('');

function sdkFor({ fetch, nonce, now = 1_700_000_000_000, masterKey = true } = {}) {
  return new Pushwire({
    appId: app.app_id,
    key: app.key,
    secret: app.secret,
    host: '127.0.0.1',
    port: 80,
    ...(masterKey ? { encryptionMasterKeyBase64: app.encryption_master_key_base64 } : {}),
    ...(fetch ? { fetch } : {}),
    ...(nonce ? { randomBytes: () => bytes(nonce) } : {}),
    now: () => now,
  });
}

function recordingFetch() {
  const requests = [];
  const fetch = async (url, init = {}) => {
    requests.push({ url: String(url), method: init.method ?? 'GET', body: init.body });
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests };
}

for (const { input, expected } of vectors.private_channel_auth) {
  const body = sdkFor().authorizeChannel(input.socket_id, input.channel_name);
  check(`private ${input.channel_name}`, JSON.stringify(body), expected.response_body);
}
for (const { note, input, expected } of vectors.presence_channel_auth) {
  const body = sdkFor().authorizeChannel(
    input.socket_id,
    input.channel_name,
    input.channel_data_object,
  );
  check(`presence ${note}`, JSON.stringify(body), expected.response_body);
}
for (const { input, expected } of vectors.encrypted_channel_auth) {
  const sdk = sdkFor();
  const body = sdk.authorizeChannel(input.socket_id, input.channel_name);
  check(`encrypted ${input.channel_name}`, JSON.stringify(body), expected.response_body);
  check(
    `shared secret ${input.channel_name}`,
    hex(sdk.channelSharedSecret(input.channel_name)),
    expected.shared_secret_hex,
  );
}
for (const { input, expected } of vectors.user_authentication) {
  const body = sdkFor().authenticateUser(input.socket_id, input.user_data_object);
  check(`user ${input.user_data_object.id}`, JSON.stringify(body), expected.response_body);
}

/** How each captured request was made with the official SDK (as in vectors.test.ts). */
const calls = {
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
for (const vector of vectors.signed_http_requests) {
  const call = calls[vector.note];
  if (!call) {
    failures.push({ what: `no call for "${vector.note}"` });
    continue;
  }
  const { fetch, requests } = recordingFetch();
  await call(sdkFor({ fetch, nonce: vector.encryption?.nonce_base64 }));
  const url = new URL(requests[0]?.url ?? 'http://none/');
  check(`request ${vector.note}`, url.pathname + url.search, vector.expected.url_path_and_query);
  check(`body ${vector.note}`, requests[0]?.body ?? null, vector.input.body);
  const { method, path, body, extra_query_params: params } = vector.input;
  const signed = sdkFor({ now: vector.input.auth_timestamp * 1000 }).createSignedQueryString({
    method,
    path,
    params,
    ...(body === null ? {} : { body }),
  });
  check(`signature ${vector.note}`, signed, vector.expected.query_string);
}

for (const { note, input, expected } of vectors.webhooks) {
  const headers = Object.fromEntries(
    Object.entries(expected.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const hook = sdkFor().webhook({ headers, rawBody: input.raw_body });
  check(`webhook ${note}`, hook.isValid(), expected.sdk_isValid);
}

for (const { what, value, sdk_accepts } of vectors.sdk_input_validation) {
  const sdk = sdkFor({ fetch: recordingFetch().fetch });
  const attempt = {
    socket_id: () => sdk.authorizeChannel(value, 'private-a'),
    channel_name: () => sdk.authorizeChannel('1.1', value),
    user_data: () => sdk.authenticateUser('1.1', value),
    encrypted_channel_without_master_key: () =>
      sdkFor({ masterKey: false }).authorizeChannel('1.1', value),
    trigger_event_name_length: () => sdk.trigger('a', 'e'.repeat(value), {}),
    trigger_channel_count: () =>
      sdk.trigger(
        Array.from({ length: value }, (_, i) => `c${i}`),
        'e',
        {},
      ),
    trigger_to_two_channels_one_encrypted: () => sdk.trigger(value, 'e', {}),
  }[what];
  let accepted = true;
  try {
    void attempt();
  } catch (error) {
    accepted = !(error instanceof PushwireSdkError);
  }
  check(`validation ${what} ${JSON.stringify(value).slice(0, 30)}`, accepted, sdk_accepts);
}

console.log(JSON.stringify({ checked, failures }));
process.exit(failures.length === 0 ? 0 : 1);
