import { describe, expect, it } from 'vitest';
import { subscriptionSucceeded } from '../protocol/frames.ts';
import { PresenceRoster, rosterEntry } from './presence-roster.ts';

const rosterOf = (members: [string, unknown][]) =>
  new PresenceRoster(
    'presence-room',
    new Map(members.map(([id, info]) => [id, rosterEntry(id, info)])),
  );

describe('PresenceRoster', () => {
  it.each([
    ['no members', []],
    ['one member', [['alice', { name: 'A' }]]],
    [
      'members needing escapes',
      [
        ['b"o\\b', { bio: 'line\nbreak "quoted" é \u2028' }],
        ['carol', undefined],
        ['dave', [1, null, 'x']],
      ],
    ],
  ] as [string, [string, unknown][]][])(
    'makes the subscription_succeeded text JSON.stringify would, for %s',
    (_label, members) => {
      const ids = members.map(([id]) => id);
      const hash = Object.fromEntries(members.map(([id, info]) => [id, info ?? null]));
      const data = JSON.stringify({ presence: { ids, hash, count: ids.length } });
      const expected = JSON.stringify({
        event: 'pusher_internal:subscription_succeeded',
        channel: 'presence-room',
        data,
      });
      expect(subscriptionSucceeded('presence-room', rosterOf(members)).text).toBe(expected);
    },
  );

  it('reads its ids, hash and count back as a plain snapshot', () => {
    const roster = rosterOf([
      ['u1', { n: 1 }],
      ['u2', undefined],
    ]);
    expect(roster.ids).toEqual(['u1', 'u2']);
    expect(roster.hash).toEqual({ u1: { n: 1 }, u2: null });
    expect(roster.count).toBe(2);
    expect(JSON.parse(JSON.stringify(roster))).toEqual({
      ids: ['u1', 'u2'],
      hash: { u1: { n: 1 }, u2: null },
      count: 2,
    });
  });

  it('uses the user_info JSON it is given, as the size check serialized it', () => {
    const entry = rosterEntry('u1', { n: 1 }, '{"n":1}');
    expect(entry).toEqual(rosterEntry('u1', { n: 1 }));
  });
});
