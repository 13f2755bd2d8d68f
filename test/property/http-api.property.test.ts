/**
 * The HTTP API over a real socket against any request: input parsing and signature checks never
 * fail with a 500 or an unhandled error, every refusal is a documented status with a JSON
 * `{"error"}` body, anything altered after the official SDK signed it is a 401, and a valid
 * publish still works after any number of bad requests.
 */
import { request as httpRequest, Agent } from 'node:http';
import fc from 'fast-check';
import PusherServer from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP } from '../../src/config/schema.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { RawClient, closeAllRawClients } from '../helpers/raw-client.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { anyJson, anyText, deeplyNested, mutated, runs, timeoutFor } from './fuzz.ts';

/** docs/errors.md, HTTP API. */
const REFUSALS = new Set([400, 401, 403, 404, 405, 408, 413, 503]);

let server: RunningServer;
let sdk: PusherServer;
let watcher: RawClient;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  server = await startTestServer({ console: false, metrics: false });
  sdk = new PusherServer({
    appId: DEFAULT_APP.id,
    key: DEFAULT_APP.key,
    secret: DEFAULT_APP.secret,
    host: '127.0.0.1',
    port: String(server.port),
  });
  watcher = await RawClient.connect(server.wsUrl);
  watcher.subscribe('after');
  await watcher.waitForEvent('pusher_internal:subscription_succeeded', 'after');
});
afterAll(async () => {
  agent.destroy();
  await closeAllRawClients();
  await stopAllServers();
});

/** One request exactly as given (path and query unnormalised); resolves with status and body. */
function send(method: string, target: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method, path: target, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) {
      req.setHeader('content-type', 'application/json');
      // Node frames a GET's body only when told its length; unframed, it would be a new request.
      req.setHeader('content-length', Buffer.byteLength(body));
    }
    req.end(body);
  });
}

function expectDocumentedRefusalOrSuccess(answer: { status: number; body: string }) {
  if (answer.status === 200) return;
  expect(REFUSALS).toContain(answer.status);
  expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
}

const segment = fc.oneof(
  fc.constantFrom('apps', '1', 'app-id', 'events', 'batch_events', 'channels', 'users'),
  fc.constantFrom('presence-a', '__proto__', 'terminate_connections', 'webhooks', '%', '%zz'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
  fc
    .constantFrom(
      'events',
      'batch_events',
      'channels',
      'channels/news',
      'channels/presence-a/users',
    )
    .map((resource) => `/apps/1/${resource}`),
  fc.constantFrom('/users/u/terminate_connections', '/apps/1/users/u/terminate_connections'),
);
const queryKey = fc.oneof(
  fc.constantFrom('auth_key', 'auth_timestamp', 'auth_version', 'auth_signature', 'body_md5'),
  fc.constantFrom('info', 'filter_by_prefix', '__proto__'),
  fc.string({ maxLength: 8 }),
);
const queryValue = fc.oneof(
  anyText,
  fc.constantFrom('app-key', '1.0', String(Math.floor(Date.now() / 1000)), 'user_count'),
);
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 6 })
  .map((pairs) => new URLSearchParams(pairs).toString());
const eventBody = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
    data: fc.oneof(fc.string({ maxLength: 50 }), anyJson),
    channel: fc.oneof(fc.constantFrom('news', '__proto__', 'a b'), anyJson),
    channels: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }), anyJson),
    info: fc.oneof(fc.constantFrom('user_count', 'subscription_count', 'x'), anyJson),
    batch: fc.oneof(fc.array(anyJson, { maxLength: 3 }), anyJson),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  anyText,
  eventBody.map((b) => JSON.stringify(b)),
  mutated(eventBody.map((b) => JSON.stringify(b))),
  deeplyNested,
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');

describe('HTTP API, property-based', () => {
  it(
    'answers any request with 200 or a documented refusal, never a 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(method, path, query, body, async (m, p, q, b) => {
          const answer = await send(m, q ? `${p}?${q}` : p, m === 'GET' ? undefined : b);
          expectDocumentedRefusalOrSuccess(answer);
        }),
        runs(150),
      );
    },
    timeoutFor(150, 50),
  );

  it(
    'answers any signed request with 200 or a documented refusal',
    async () => {
      const resource = fc.constantFrom('events', 'batch_events', 'channels', 'channels/news');
      await fc.assert(
        fc.asyncProperty(resource, body, async (r, b) => {
          const post = r.includes('events');
          const signedPath = `/apps/1/${r}`;
          const signed = sdk.createSignedQueryString({
            method: post ? 'POST' : 'GET',
            path: signedPath,
            ...(post && b !== undefined ? { body: b } : {}),
          });
          const answer = await send(
            post ? 'POST' : 'GET',
            `${signedPath}?${signed}`,
            post ? b : undefined,
          );
          expectDocumentedRefusalOrSuccess(answer);
        }),
        runs(100),
      );
    },
    timeoutFor(100, 50),
  );

  it(
    'refuses with 401 any signed request altered after signing',
    async () => {
      const valid = JSON.stringify({ name: 'ev', channel: 'news', data: 'x' });
      const alteration = fc.oneof(
        fc.record({
          at: fc.constant('query' as const),
          index: fc.nat(),
          char: fc.constantFrom(...'0aZ.%'),
        }),
        fc.record({
          at: fc.constant('body' as const),
          index: fc.nat(),
          char: fc.constantFrom(...' 1x"'),
        }),
        fc.record({ at: fc.constant('path' as const), index: fc.nat(), char: fc.constant('') }),
      );
      await fc.assert(
        fc.asyncProperty(alteration, async ({ at, index, char }) => {
          const signedPath = '/apps/1/events';
          let q = sdk.createSignedQueryString({ method: 'POST', path: signedPath, body: valid });
          let b = valid;
          let p = signedPath;
          if (at === 'query') {
            const i = index % q.length;
            if (q[i] === char || q[i] === '&' || q[i] === '=') return; // not an alteration of a value
            q = q.slice(0, i) + char + q.slice(i + 1);
          } else if (at === 'body') {
            const i = index % b.length;
            if (b[i] === char) return;
            b = b.slice(0, i) + char + b.slice(i + 1);
          } else {
            p = '/apps/1/batch_events';
          }
          const answer = await send('POST', `${p}?${q}`, b);
          // An altered auth_key is no key of this app: also a 401.
          expect(answer.status).toBe(401);
          expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
        }),
        runs(150),
      );
    },
    timeoutFor(150, 50),
  );

  it('answers //% and the like as unknown paths (found by the first property: they were 500s)', async () => {
    for (const target of ['//%', '//[', '//%zz/apps/1/channels']) {
      const answer = await send('GET', target);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
    }
  });

  it('still publishes after all of the above', async () => {
    const before = watcher.frames.filter((f) => f.event === 'ok').length;
    const answer = await sdk.trigger('after', 'ok', { still: 'serving' });
    expect(answer.status).toBe(200);
    await waitUntil(
      () => watcher.frames.filter((f) => f.event === 'ok').length === before + 1,
      'the event published after the fuzzing',
    );
  });
});
