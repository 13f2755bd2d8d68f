/**
 * What this node holds: its sockets per channel (with their presence user) and its signed-in
 * sockets. It is the local truth that the node writes back into Redis after an outage, and that
 * decides a repeated join or leave without asking Redis.
 */
import { SERVER_TO_USER_PREFIX } from '../../protocol/channel-kind.ts';

export interface LocalChannel {
  readonly app: string;
  readonly channel: string;
  /** socket id → presence user id ('' for none). */
  readonly sockets: Map<string, string>;
  /** presence user → its sockets here and its user_info JSON. */
  readonly users: Map<string, { count: number; info: string }>;
}

export interface LocalRemoval {
  readonly userId: string;
  /** The user's last socket here in this channel left. */
  readonly lastOfUser: boolean;
  /** The channel's last socket here left. */
  readonly lastOfChannel: boolean;
}

const SEP = '\n';
export const channelKey = (app: string, channel: string) => `${app}${SEP}${channel}`;

/** The route a signed-in user's node holds: the user's own server-to-user channel. */
export const userRoute = (userId: string) => `${SERVER_TO_USER_PREFIX}${userId}`;

export class LocalShare {
  readonly channels = new Map<string, LocalChannel>();
  /** app → user → socket ids. */
  readonly signedIn = new Map<string, Map<string, Set<string>>>();

  has(app: string, channel: string, socketId: string): boolean {
    return this.channels.get(channelKey(app, channel))?.sockets.has(socketId) ?? false;
  }

  add(app: string, channel: string, socketId: string, userId = '', info = ''): void {
    const key = channelKey(app, channel);
    let entry = this.channels.get(key);
    if (!entry) {
      entry = { app, channel, sockets: new Map(), users: new Map() };
      this.channels.set(key, entry);
    }
    entry.sockets.set(socketId, userId);
    if (userId === '') return;
    const user = entry.users.get(userId);
    if (user) {
      user.count++;
      user.info = info;
    } else entry.users.set(userId, { count: 1, info });
  }

  remove(app: string, channel: string, socketId: string): LocalRemoval | undefined {
    const key = channelKey(app, channel);
    const entry = this.channels.get(key);
    const userId = entry?.sockets.get(socketId);
    if (!entry || userId === undefined) return undefined;
    entry.sockets.delete(socketId);
    let lastOfUser = false;
    const user = entry.users.get(userId);
    if (user && --user.count <= 0) {
      entry.users.delete(userId);
      lastOfUser = true;
    }
    const lastOfChannel = entry.sockets.size === 0;
    if (lastOfChannel) this.channels.delete(key);
    return { userId, lastOfUser, lastOfChannel };
  }

  /** Whether the node must listen on a route (channel key): it has sockets there, or the user. */
  holdsRoute(key: string): boolean {
    if (this.channels.has(key)) return true;
    const [app = '', channel = ''] = key.split(SEP);
    if (!channel.startsWith(SERVER_TO_USER_PREFIX)) return false;
    return this.signedIn.get(app)?.has(channel.slice(SERVER_TO_USER_PREFIX.length)) ?? false;
  }

  /** Every route the node must listen on. */
  *routes(): Iterable<string> {
    yield* this.channels.keys();
    for (const [app, users] of this.signedIn)
      for (const user of users.keys()) yield channelKey(app, userRoute(user));
  }

  /** False when the socket was already signed in as this user. */
  signIn(app: string, userId: string, socketId: string): boolean {
    let users = this.signedIn.get(app);
    if (!users) this.signedIn.set(app, (users = new Map()));
    let sockets = users.get(userId);
    if (!sockets) users.set(userId, (sockets = new Set()));
    if (sockets.has(socketId)) return false;
    sockets.add(socketId);
    return true;
  }

  /** undefined when the socket was not signed in as this user; else whether it was the last here. */
  signOut(app: string, userId: string, socketId: string): { last: boolean } | undefined {
    const users = this.signedIn.get(app);
    const sockets = users?.get(userId);
    if (!users || !sockets?.delete(socketId)) return undefined;
    if (sockets.size > 0) return { last: false };
    users.delete(userId);
    if (users.size === 0) this.signedIn.delete(app);
    return { last: true };
  }
}
