/**
 * The SDK's auth endpoint (packages/sdk handlers) against any request: it never throws, it
 * answers 200 or a documented refusal, it echoes only a callback that passed the JSONP rule, and
 * a valid request still gets the official SDK's signature after any number of invalid ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChannelAuthHandler, isSafeCallback, Pushwire } from '../../src/sdk/index.ts';
import { DEFAULT_APP } from '../../src/config/schema.ts';
import { sdk as official } from '../helpers/sdk.ts';
import { anyJson, anyText, deeplyNested, runs } from './fuzz.ts';

const signer = new Pushwire({
  appId: DEFAULT_APP.id,
  key: DEFAULT_APP.key,
  secret: DEFAULT_APP.secret,
});
const RULE = /app\.auth\.\w+/;
const errors: unknown[] = [];
const handler = createChannelAuthHandler<{ allow: boolean }>({
  sdk: signer,
  jsonp: true,
  jsonpCallbacks: RULE,
  authorize: (request, { channelName }) =>
    request.allow && (channelName.startsWith('presence-') ? { user_id: 'u' } : true),
  onError: (error) => errors.push(error),
});

const field = fc.oneof(
  fc.constantFrom('socket_id', 'channel_name', 'channel_name[0]', 'channel_name[1]', 'callback'),
  fc.constantFrom('__proto__', 'constructor', 'ticket'),
  fc.string({ maxLength: 10 }),
);
const fieldValue = fc.oneof(
  anyText,
  fc.constantFrom('1.2', '12.34', 'private-a', 'presence-a', 'news', '#server-to-user-u'),
  fc.constantFrom("Pusher.auth_callbacks['1']", 'app.auth.done', 'location.assign', 'alert(1)//'),
);
const pairs = fc.array(fc.tuple(field, fieldValue), { maxLength: 6 });
const body = fc.oneof(
  fc.constant(undefined),
  pairs.map((p) => new URLSearchParams(p).toString()),
  pairs.map((p) => JSON.stringify(Object.fromEntries(p))),
  fc.dictionary(field, fc.oneof(fieldValue, anyJson)),
  anyText,
  deeplyNested,
);
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'get'),
  query: pairs.map((p) => new URLSearchParams(p)),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded'),
  body,
  request: fc.record({ allow: fc.boolean() }),
});

describe('SDK auth endpoint, property-based', () => {
  it('answers any request with 200 or a documented refusal, echoing only an accepted callback', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const response = await handler(input);
        expect([200, 400, 403, 405]).toContain(response.status);
        if (response.headers['content-type'] === 'application/javascript') {
          const callback = response.body.slice(0, response.body.indexOf('('));
          expect(isSafeCallback(callback, RULE)).toBe(true);
          expect(callback).toMatch(/^(Pusher\.auth_callbacks\['\d+'\]|app\.auth\.\w+)$/);
        } else {
          expect(response.headers['content-type']).toBe('application/json');
        }
        expect(errors).toEqual([]);
      }),
      runs(300),
    );
  });

  it('still signs a valid request as the official SDK does, after any invalid ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 10 }), async (invalid) => {
        for (const input of invalid) await handler(input);
        const response = await handler({
          method: 'POST',
          query: new URLSearchParams(),
          contentType: 'application/x-www-form-urlencoded',
          body: 'socket_id=1.2&channel_name=private-a',
          request: { allow: true },
        });
        expect(response.status).toBe(200);
        expect(JSON.parse(response.body)).toEqual(official.authorizeChannel('1.2', 'private-a'));
      }),
      runs(60),
    );
  });
});
