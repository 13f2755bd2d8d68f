import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../protocol/names.ts';
import { checkClientEvent, type ClientEventInput } from './client-event.ts';

const input = (overrides: Partial<ClientEventInput> = {}): ClientEventInput => ({
  app: { enableClientEvents: true, maxEventPayloadBytes: 10 },
  maxEventNameLength: 20,
  event: 'client-typing',
  channel: 'private-chat',
  data: { a: 1 },
  subscribed: true,
  bucket: { take: () => true },
  now: 0,
  ...overrides,
});

describe('checkClientEvent', () => {
  it('passes a client event on a subscribed private channel', () => {
    expect(checkClientEvent(input())).toEqual({ ok: true, channel: 'private-chat' });
  });

  it('checks the channel type before the subscription', () => {
    const check = checkClientEvent(input({ channel: 'news', subscribed: false }));
    expect(check).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Client events are only/),
    });
  });

  it('measures object data as its JSON text in UTF-8 bytes', () => {
    expect(checkClientEvent(input({ data: { a: 'éé' } })).ok).toBe(false); // {"a":"éé"} is 12 bytes
    expect(checkClientEvent(input({ data: 'éééé' })).ok).toBe(true); // 8 bytes
  });

  it('consults the rate limit before serializing data, so a flood costs no size check', () => {
    const data = { toJSON: () => expect.fail('data serialized past the rate limit') };
    expect(checkClientEvent(input({ data, bucket: { take: () => false } }))).toEqual({
      ok: false,
      code: 4301,
      message: 'Client event rejected due to rate limit',
    });
  });

  it('takes no token for an event refused by an earlier rule', () => {
    let taken = 0;
    const bucket = { take: () => ++taken > 0 };
    checkClientEvent(input({ channel: 'news', bucket }));
    checkClientEvent(input({ subscribed: false, bucket }));
    expect(taken).toBe(0);
  });

  it('takes its token at the time it is given', () => {
    const at: number[] = [];
    checkClientEvent(input({ now: 1234, bucket: { take: (now) => at.push(now) > 0 } }));
    expect(at).toEqual([1234]);
  });

  it('does not serialize data to measure it when the whole frame is within a sixth of the limit', () => {
    const data = { toJSON: () => expect.fail('data serialized for a small frame') };
    const app = { enableClientEvents: true, maxEventPayloadBytes: 600 };
    expect(checkClientEvent(input({ app, data, frameLength: 100 }))).toEqual({
      ok: true,
      channel: 'private-chat',
    });
  });

  it('measures data exactly when the frame is longer than a sixth of the limit', () => {
    const app = { enableClientEvents: true, maxEventPayloadBytes: 40 };
    const data = 'é'.repeat(21); // 42 bytes
    const frameLength = `{"event":"client-typing","channel":"private-chat","data":"${data}"}`
      .length;
    expect(frameLength * 6).toBeGreaterThan(40);
    expect(checkClientEvent(input({ app, data, frameLength }))).toMatchObject({ ok: false });
    expect(checkClientEvent(input({ app, data: 'é'.repeat(20), frameLength }))).toMatchObject({
      ok: true,
    });
  });

  it('measures data that grows past the limit when serialized, in a frame under a quarter of it', () => {
    // 501 times 1e20: 2,505 units as sent, 11,022 bytes serialized.
    const text = `[${Array(501).fill('1e20').join(',')}]`;
    const data: unknown = JSON.parse(text);
    const frameLength = `{"event":"client-a","data":${text},"channel":"private-chat"}`.length;
    const app = { enableClientEvents: true, maxEventPayloadBytes: 10_240 };
    expect(frameLength * 4).toBeLessThanOrEqual(10_240);
    expect(checkClientEvent(input({ app, data, frameLength }))).toEqual({
      ok: false,
      code: null,
      message: 'Client event data is larger than 10240 bytes',
    });
  });

  it('can skip the measure: data serialized is at most 5.25 bytes per unit of its text', () => {
    const exponent = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -30, max: 30 }), fc.boolean())
      .map(([digit, power, minus]) => `${minus ? '-' : ''}${digit}e${power}`);
    const spelled = fc.oneof(
      fc.json(),
      exponent,
      fc.array(exponent, { minLength: 1, maxLength: 20 }).map((all) => `[${all.join(',')}]`),
      fc.constantFrom('1e20', '[1e20,1e20]', '"\\u00e9\\ud83d\\ude00"', '"\u0800"', '-0'),
    );
    fc.assert(
      fc.property(spelled, (text) => {
        const bytes = utf8Length(JSON.stringify(JSON.parse(text)));
        expect(bytes).toBeLessThanOrEqual(5.25 * text.length);
      }),
    );
    // The worst case: 4 units, 21 bytes.
    expect(JSON.stringify(JSON.parse('1e20'))).toHaveLength(21);
  });
});
