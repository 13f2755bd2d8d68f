/**
 * Channel names, event names and user ids (src/protocol/names.ts, channel-kind.ts) and the
 * subscription signature check (src/auth/signatures.ts) against any input: they never throw,
 * they refuse with the documented messages, and what the official SDK signs always passes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelStringToSign, verifyAuth } from '../../src/auth/signatures.ts';
import { DEFAULT_APP } from '../../src/config/schema.ts';
import { channelKind } from '../../src/protocol/channel-kind.ts';
import { channelNameProblem, eventNameProblem, isValidUserId } from '../../src/protocol/names.ts';
import { sdk } from '../helpers/sdk.ts';
import { anyJson, anyText, mutated, runs } from './fuzz.ts';

const CHANNEL_CHARS = 'ABCXYZabcxyz0189_-=@,.;';
const validChannel = fc
  .tuple(
    fc.constantFrom('', 'private-', 'presence-', 'private-encrypted-', 'cache-', 'private-cache-'),
    fc.string({ unit: fc.constantFrom(...CHANNEL_CHARS), minLength: 1, maxLength: 100 }),
  )
  .map(([prefix, rest]) => prefix + rest);

const CHANNEL_PROBLEMS = [
  'channel name must be a non-empty string',
  'channel name is longer than 164 characters',
  'user id in #server-to-user channel is invalid',
  'channel name may contain only A-Z, a-z, 0-9 and _ - = @ , . ;',
];

describe('names, property-based', () => {
  it('judges any value as a channel name without throwing, with a documented message', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, anyJson, mutated(validChannel)), (name) => {
        const problem = channelNameProblem(name, 164);
        if (problem !== null) expect(CHANNEL_PROBLEMS).toContain(problem);
        if (typeof name === 'string') channelKind(name);
        isValidUserId(name);
        eventNameProblem(name, 200);
      }),
      runs(300),
    );
  });

  it('accepts every name of allowed characters within the limit, __proto__ included', () => {
    fc.assert(
      fc.property(fc.oneof(validChannel, fc.constantFrom('__proto__', 'constructor')), (name) => {
        expect(channelNameProblem(name, 164)).toBeNull();
      }),
      runs(300),
    );
  });

  it('refuses every name with a character outside the set', () => {
    const outside = fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/[\w\-=@,.;]/.test(c));
    fc.assert(
      fc.property(validChannel, outside, fc.nat(), (name, bad, at) => {
        const i = at % (name.length + 1);
        const withBad = name.slice(0, i) + bad + name.slice(i);
        if (withBad.startsWith('#server-to-user-')) return;
        expect(channelNameProblem(withBad, 164)).toBe(CHANNEL_PROBLEMS[3]);
      }),
      runs(300),
    );
  });
});

describe('subscription signatures, property-based', () => {
  const app = { key: DEFAULT_APP.key, secret: DEFAULT_APP.secret };
  const socketId = fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}.${b}`);

  it('accepts what the official SDK signs, and nothing else in its place', () => {
    fc.assert(
      fc.property(socketId, validChannel, fc.oneof(anyText, anyJson), (id, channel, forged) => {
        const { auth } = sdk.authorizeChannel(id, channel);
        expect(verifyAuth(auth, app, channelStringToSign(id, channel))).toEqual({ ok: true });
        if (forged !== auth) {
          expect(verifyAuth(forged, app, channelStringToSign(id, channel)).ok).toBe(false);
        }
      }),
      runs(300),
    );
  });

  it('refuses every alteration of a valid auth value', () => {
    fc.assert(
      fc.property(
        socketId,
        validChannel,
        fc.nat(),
        fc.constantFrom(...'0123456789abcdef:x'),
        (id, channel, at, char) => {
          const { auth } = sdk.authorizeChannel(id, channel);
          const i = at % auth.length;
          const altered = auth.slice(0, i) + char + auth.slice(i + 1);
          const result = verifyAuth(altered, app, channelStringToSign(id, channel));
          expect(result.ok).toBe(altered === auth);
        },
      ),
      runs(300),
    );
  });
});
