/**
 * The official `pusher` SDK and ours, fed the same 1,000 random inputs, must give identical
 * results: channel auth (private, presence, encrypted), user auth, signed query strings and
 * webhook checks. The generator is seeded, so a failure names a reproducible case.
 */
import PusherServer from 'pusher';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pushwire } from '../../src/sdk/index.ts';
import { hmacSha256Hex } from '../../packages/sdk/src/crypto.ts';

const CASES = 1_000;
const SEED = 0x5eed;
const MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const options = {
  appId: '4242',
  key: 'interop-key',
  secret: 's3cr3t-ünïcødé',
  host: '127.0.0.1',
  useTLS: false,
  encryptionMasterKeyBase64: MASTER_KEY,
};
const official = new PusherServer(options);
const ours = new Pushwire(options);

/** mulberry32: small, seedable, good enough to spread inputs. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const text = (alphabet: string, min: number, max: number) => {
    const chars = [...alphabet];
    return Array.from({ length: min + int(max - min + 1) }, () => pick(chars)).join('');
  };
  return { next, int, pick, text };
}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=@,.;';
const FREE_TEXT = 'aZ09 "\\/\n\té漢字😀Ωß<>&\'{}[]:,';

function caseFor(seed: number) {
  const r = random(seed);
  const socketId = `${r.int(10 ** r.int(10))}.${r.int(10 ** (1 + r.int(9)))}`;
  const prefix = r.pick(['private-', 'presence-', 'private-encrypted-', 'presence-cache-', '']);
  const channel = prefix + r.text(NAME_CHARS, 1, 200 - prefix.length);
  const userInfo = r.next() < 0.2 ? undefined : { name: r.text(FREE_TEXT, 0, 30), n: r.int(1000) };
  const userId = r.next() < 0.3 ? r.int(1_000_000) : r.text(FREE_TEXT, 1, 20);
  const presence =
    userInfo === undefined ? { user_id: userId } : { user_id: userId, user_info: userInfo };
  const user = {
    id: r.text(FREE_TEXT, 1, 20),
    user_info: userInfo,
    watchlist: [r.text(NAME_CHARS, 1, 8)],
  };
  const body = JSON.stringify({ name: r.text(NAME_CHARS, 1, 20), data: r.text(FREE_TEXT, 0, 80) });
  const params = {
    info: r.pick(['user_count', 'subscription_count', 'user_count,subscription_count']),
  };
  const path = `/apps/4242/${r.pick(['events', 'channels', `channels/${channel}`])}`;
  return {
    socketId,
    channel,
    presence,
    user,
    body,
    params,
    path,
    usePresence: prefix.startsWith('presence-'),
  };
}

describe('interop with the official pusher SDK', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(1_700_000_123_456));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`gives identical channel auth for ${CASES} random inputs`, () => {
    for (let seed = SEED; seed < SEED + CASES; seed++) {
      const c = caseFor(seed);
      const data = c.usePresence ? c.presence : undefined;
      const theirs = official.authorizeChannel(c.socketId, c.channel, data as never);
      const mine = ours.authorizeChannel(c.socketId, c.channel, data);
      expect(JSON.stringify(mine), `seed ${seed}`).toBe(JSON.stringify(theirs));
    }
  });

  it(`gives identical user auth for ${CASES} random inputs`, () => {
    for (let seed = SEED; seed < SEED + CASES; seed++) {
      const c = caseFor(seed);
      const theirs = official.authenticateUser(c.socketId, c.user);
      const mine = ours.authenticateUser(c.socketId, c.user);
      expect(JSON.stringify(mine), `seed ${seed}`).toBe(JSON.stringify(theirs));
    }
  });

  it(`gives identical signed query strings for ${CASES} random requests`, () => {
    for (let seed = SEED; seed < SEED + CASES; seed++) {
      const c = caseFor(seed);
      const request = {
        method: seed % 2 ? 'POST' : 'get',
        path: c.path,
        params: c.params,
        body: c.body,
      };
      expect(ours.createSignedQueryString(request), `seed ${seed}`).toBe(
        official.createSignedQueryString(request),
      );
    }
  });

  it(`agrees on webhook validity for ${CASES} random bodies`, () => {
    for (let seed = SEED; seed < SEED + CASES; seed++) {
      const c = caseFor(seed);
      const tampered = seed % 3 === 0;
      const signature = hmacSha256Hex(options.secret, c.body + (tampered ? ' ' : ''));
      const request = {
        headers: {
          'content-type': 'application/json',
          'x-pusher-key': options.key,
          'x-pusher-signature': signature,
        },
        rawBody: c.body,
      };
      expect(ours.webhook(request).isValid(), `seed ${seed}`).toBe(
        official.webhook(request).isValid(),
      );
      expect(ours.webhook(request).isValid()).toBe(!tampered);
    }
  });
});
