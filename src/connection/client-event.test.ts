import { describe, expect, it } from 'vitest';
import { checkClientEvent, type ClientEventInput } from './client-event.ts';

const input = (overrides: Partial<ClientEventInput> = {}): ClientEventInput => ({
  app: { enableClientEvents: true, maxEventPayloadBytes: 10 },
  maxEventNameLength: 20,
  event: 'client-typing',
  channel: 'private-chat',
  data: { a: 1 },
  isSubscribed: () => true,
  allow: () => true,
  ...overrides,
});

describe('checkClientEvent', () => {
  it('passes a client event on a subscribed private channel', () => {
    expect(checkClientEvent(input())).toEqual({ ok: true, channel: 'private-chat' });
  });

  it('checks the channel type before the subscription', () => {
    const check = checkClientEvent(input({ channel: 'news', isSubscribed: () => false }));
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
    expect(checkClientEvent(input({ data, allow: () => false }))).toEqual({
      ok: false,
      code: 4301,
      message: 'Client event rejected due to rate limit',
    });
  });

  it('takes no token for an event refused by an earlier rule', () => {
    let taken = 0;
    const allow = () => ++taken > 0;
    checkClientEvent(input({ channel: 'news', allow }));
    checkClientEvent(input({ isSubscribed: () => false, allow }));
    expect(taken).toBe(0);
  });
});
