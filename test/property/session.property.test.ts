/**
 * The dispatcher (src/connection/session.ts) against any sequence of frames, through the session
 * harness: nothing escapes a handler, the socket stays open, every answer is a documented frame,
 * and a valid frame still works after any number of invalid ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/codes.ts';
import { createHub, expectAlive, isSubscribed } from '../helpers/session-harness.ts';
import { anyJson, anyText, deeplyNested, mutated, runs, timeoutFor } from './fuzz.ts';

/** What a server may send a client: docs/protocol.md §2, and no `pusher:error` code but these. */
const ANSWERS = new Set([
  'pusher:error',
  'pusher:pong',
  'pusher_internal:subscription_succeeded',
  'pusher_internal:subscription_count',
  'pusher_internal:member_added',
  'pusher_internal:member_removed',
  'pusher_internal:watchlist_events',
  'pusher:signin_success',
  'pusher:cache_miss',
]);
const OPEN_CODES = new Set<number | null>([
  null,
  ErrorCode.Unauthorized, // a failed sign-in: the socket stays open
  ErrorCode.ClientEventRateLimit,
  ErrorCode.WatchlistLimit,
]);

const channelName = fc.oneof(
  fc.constantFrom('', 'news', 'private-a', 'presence-a', 'private-encrypted-a', 'cache-a'),
  fc.constantFrom('private-cache-a', '#server-to-user-1', '__proto__', 'a b', 'x'.repeat(300)),
  fc.string({ maxLength: 40 }),
  anyText,
);

const eventName = fc.oneof(
  fc.constantFrom('pusher:ping', 'pusher:pong', 'pusher:subscribe', 'pusher:unsubscribe'),
  fc.constantFrom('pusher:signin', 'pusher:other', 'pusher_internal:x', 'client-x', 'client-'),
  fc.constantFrom('pusher_internal:subscription_succeeded', 'x'.repeat(300)),
  fc.string({ maxLength: 30 }),
);

const subscribeData = fc.record(
  {
    channel: fc.oneof(channelName, anyJson),
    auth: fc.oneof(anyText, fc.constant('app-key:00'), anyJson),
    channel_data: fc.oneof(
      anyText,
      anyJson.map((v) => JSON.stringify(v)),
      deeplyNested,
    ),
    user_data: fc.oneof(
      anyText,
      anyJson.map((v) => JSON.stringify(v)),
      deeplyNested,
    ),
  },
  { requiredKeys: [] },
);

const frame = fc.record(
  {
    event: fc.oneof(eventName, anyJson),
    channel: fc.oneof(channelName, anyJson),
    data: fc.oneof(
      subscribeData,
      anyJson,
      anyText,
      subscribeData.map((d) => JSON.stringify(d)),
    ),
  },
  { requiredKeys: [] },
);

type Action = { text: string } | { signed: string };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: frame.map((f) => ({ text: JSON.stringify(f) })) },
  { weight: 2, arbitrary: mutated(frame.map((f) => JSON.stringify(f))).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.oneof(anyText, deeplyNested).map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('private-a', 'presence-a'), fc.oneof(deeplyNested, anyText))
      .map(([channel, data]) => ({
        text: `{"event":"client-x","channel":"${channel}","data":${data}}`,
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('private-a', 'presence-a').map((signed) => ({ signed })),
  },
);

describe('Session dispatcher, property-based', () => {
  it(
    'answers any frames with documented frames only, stays open, and still serves a valid frame',
    async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(action, { maxLength: 12 }), async (actions) => {
          const hub = createHub({ limits: { maxChannelsPerConnection: 5 } });
          const client = hub.connect();
          client.take(); // connection_established
          const bystander = hub.connect();
          await bystander.subscribeSigned('private-a');
          for (const next of actions) {
            if ('text' in next) await client.send(next.text);
            else await client.subscribeSigned(next.signed, { user_id: 'fuzz' });
          }
          expect(hub.internalErrors).toEqual([]);
          for (const sent of client.take()) {
            expect(ANSWERS).toContain(sent.event);
            if (sent.event === 'pusher:error') {
              expect(OPEN_CODES).toContain((sent.data as { code: number | null }).code);
            }
          }
          expect(client.transport.closedWith).toBeUndefined();

          // A valid subscribe and a client event still work, the rate limit's second over.
          hub.clock.advance(1_000);
          const channel = `after-${++round}`;
          await client.subscribe(channel);
          expect(isSubscribed(client, channel)).toBe(true);
          await client.close();
          await expectAlive(bystander);
          const other = hub.connect();
          await other.subscribeSigned('private-a');
          bystander.take();
          await other.send({ event: 'client-ok', channel: 'private-a', data: {} });
          expect(bystander.take()).toEqual([
            { event: 'client-ok', channel: 'private-a', data: {} },
          ]);
        }),
        runs(100),
      );
    },
    timeoutFor(100, 100),
  );
});
