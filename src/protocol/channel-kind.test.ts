import { describe, expect, it } from 'vitest';
import { channelKind } from './channel-kind.ts';

describe('channelKind', () => {
  it.each([
    // name, private, presence, encrypted, cache, signed, client events, server-to-user, internal
    ['news', false, false, false, false, false, false, false, false],
    ['private-chat', true, false, false, false, true, true, false, false],
    ['private-encrypted-dm', true, false, true, false, true, false, false, false],
    ['private-encrypted-cache-wallet', true, false, true, true, true, false, false, false],
    ['private-cache-prices', true, false, false, true, true, true, false, false],
    ['presence-room', false, true, false, false, true, true, false, false],
    ['presence-cache-board', false, true, false, true, true, true, false, false],
    ['cache-scores', false, false, false, true, false, false, false, false],
    ['#server-to-user-42', false, false, false, false, false, false, true, true],
    ['#watchlist-42', false, false, false, false, false, false, false, true],
  ])(
    'classifies %s by its prefix',
    (
      name,
      isPrivate,
      isPresence,
      isEncrypted,
      isCache,
      isSigned,
      allowsClientEvents,
      isServerToUser,
      isInternal,
    ) => {
      expect(channelKind(name)).toEqual({
        isPrivate,
        isPresence,
        isEncrypted,
        isCache,
        isSigned,
        allowsClientEvents,
        isServerToUser,
        isInternal,
      });
    },
  );

  it.each(['privatechat', 'Private-chat', 'presence', 'xprivate-a', 'encrypted-private-a'])(
    'treats %s as public when the prefix is not exact',
    (name) => {
      expect(channelKind(name)).toMatchObject({ isPrivate: false, isPresence: false });
    },
  );

  it('treats presence-encrypted- as plain presence (presence cannot be encrypted, §6)', () => {
    expect(channelKind('presence-encrypted-x')).toMatchObject({
      isPresence: true,
      isEncrypted: false,
    });
  });
});
