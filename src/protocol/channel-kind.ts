/**
 * Channel type by name prefix (docs/protocol.md §5.1). Prefixes are tested longest first, because
 * `private-encrypted-` also starts with `private-`.
 */
export interface ChannelKind {
  /** Subscribing needs a `socket_id:channel` signature. */
  readonly isPrivate: boolean;
  readonly isPresence: boolean;
  readonly isEncrypted: boolean;
  /** The server remembers the last API-published event and replays it to new subscribers. */
  readonly isCache: boolean;
  /** Private (encrypted too) or presence: a subscription carries the app's signature. */
  readonly isSigned: boolean;
  /** `client-` events are allowed (private and presence, never public or encrypted). */
  readonly allowsClientEvents: boolean;
  /** `#server-to-user-{id}`: only a socket signed in as that id may subscribe. */
  readonly isServerToUser: boolean;
  /**
   * Starts with `#`: the server's own channels (`#server-to-user-`, `#watchlist-`), never listed
   * by the API and never reported as occupied or vacated.
   */
  readonly isInternal: boolean;
}

export const SERVER_TO_USER_PREFIX = '#server-to-user-';

const kind = (
  isPrivate: boolean,
  isPresence: boolean,
  isEncrypted: boolean,
  isCache: boolean,
  isServerToUser = false,
  isInternal = isServerToUser,
): ChannelKind => {
  const isSigned = isPrivate || isPresence;
  return {
    isPrivate,
    isPresence,
    isEncrypted,
    isCache,
    isSigned,
    allowsClientEvents: isSigned && !isEncrypted,
    isServerToUser,
    isInternal,
  };
};

const PREFIXES: ReadonlyArray<readonly [string, ChannelKind]> = [
  ['private-encrypted-cache-', kind(true, false, true, true)],
  ['private-encrypted-', kind(true, false, true, false)],
  ['private-cache-', kind(true, false, false, true)],
  ['private-', kind(true, false, false, false)],
  ['presence-cache-', kind(false, true, false, true)],
  ['presence-', kind(false, true, false, false)],
  ['cache-', kind(false, false, false, true)],
  [SERVER_TO_USER_PREFIX, kind(false, false, false, false, true)],
];

const PUBLIC = kind(false, false, false, false);
const INTERNAL = kind(false, false, false, false, false, true);

export function channelKind(name: string): ChannelKind {
  for (const [prefix, k] of PREFIXES) if (name.startsWith(prefix)) return k;
  return name.startsWith('#') ? INTERNAL : PUBLIC;
}

/**
 * Internal channel whose subscribers are the watchers of `userId`; online/offline transitions are
 * published on it, so they reach watchers on every node. Its `#` keeps clients from naming it.
 */
export const watchlistChannel = (userId: string): string => `#watchlist-${userId}`;
