/**
 * Where the Redis adapter keeps what, under the cluster's prefix P. Everything about one channel
 * shares the hash tag `{app:channel}`, so one script can touch it all on one Redis Cluster slot.
 *
 * - `P:{app:ch}` hash: `subs`, `members`, `v` (roster version), `u:{user}` (sockets cluster-wide),
 *   `i:{user}` (user_info JSON, '' for none).
 * - `P:{app:ch}:n:{node}` hash: one node's share: `#` (its subscriptions), `u:{user}`, `i:{user}`.
 * - `P:{app:ch}:log` stream: the channel's last messages, for a node that missed some;
 *   `P:{app:ch}:bus` its pub/sub channel (a user's route is its `#server-to-user-{id}` channel's).
 * - `P:{app:ch}:cache` string; `P:{app:ch}:gone` set (removals announced after a data loss).
 * - `P:{app}:channels` set of occupied channels; `P:{app}:users` hash user → signed-in sockets;
 *   `P:{app}:users:n:{node}` that node's share of them.
 * - `P:node:{node}` set: the shares a node holds (index entries), so they can be reclaimed.
 * - `P:conns:{node}` hash app → open connections on that node (expires with its liveness).
 * - `P:{nodes}` sorted set node → last heartbeat (ms); `P:{nodes}:epoch` changes when Redis lost
 *   its data (on a cluster: when the shard holding it did).
 * - `P:{epoch-N}:epoch` on a cluster: one per master, changes when that shard lost its data
 *   (epochs.ts picks the tags).
 */
export class RedisKeys {
  readonly nodes: string;
  readonly epoch: string;

  constructor(readonly prefix: string) {
    // One hash tag, so that the heartbeat script runs on one Redis Cluster slot.
    this.nodes = `${prefix}:{nodes}`;
    this.epoch = `${prefix}:{nodes}:epoch`;
  }

  channel(app: string, channel: string): string {
    return `${this.prefix}:{${app}:${channel}}`;
  }
  share(app: string, channel: string, node: string): string {
    return `${this.channel(app, channel)}:n:${node}`;
  }
  /** The channel's pub/sub channel: only the nodes holding the channel subscribe to it. */
  route(app: string, channel: string): string {
    return `${this.channel(app, channel)}:bus`;
  }
  log(app: string, channel: string): string {
    return `${this.channel(app, channel)}:log`;
  }
  cache(app: string, channel: string): string {
    return `${this.channel(app, channel)}:cache`;
  }
  gone(app: string, channel: string): string {
    return `${this.channel(app, channel)}:gone`;
  }
  channels(app: string): string {
    return `${this.prefix}:{${app}}:channels`;
  }
  users(app: string): string {
    return `${this.prefix}:{${app}}:users`;
  }
  userShare(app: string, node: string): string {
    return `${this.users(app)}:n:${node}`;
  }
  nodeIndex(node: string): string {
    return `${this.prefix}:node:${node}`;
  }
  connections(node: string): string {
    return `${this.prefix}:conns:${node}`;
  }
  shardEpoch(tag: string): string {
    return `${this.prefix}:{${tag}}:epoch`;
  }
}

/** An entry of a node's index: one channel share, or one app's signed-in users. */
export type IndexEntry =
  | { readonly kind: 'c'; readonly app: string; readonly channel: string }
  | { readonly kind: 'u'; readonly app: string };

export const channelEntry = (app: string, channel: string) => JSON.stringify(['c', app, channel]);
export const usersEntry = (app: string) => JSON.stringify(['u', app]);

export function parseEntry(text: string): IndexEntry | undefined {
  try {
    const parts = JSON.parse(text) as unknown;
    if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string')) return undefined;
    const [kind, app, channel] = parts as string[];
    if (kind === 'c' && app !== undefined && channel !== undefined) return { kind, app, channel };
    if (kind === 'u' && app !== undefined) return { kind, app };
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}
