/**
 * The two indexes that live outside a channel's slot, kept around the scripts rather than inside
 * them so that every script touches one Redis Cluster slot (keys.ts):
 *
 * - the node's index (`P:node:{id}`) names every share the node may hold, so that a survivor can
 *   reclaim them. An entry is added before the script that creates the share and removed only
 *   after a script emptied it with no join of the channel in flight here: a crash in between
 *   leaves an entry too many (reclaiming an empty share changes nothing), never one too few.
 * - the app's channel set (`P:{app}:channels`) lists occupied channels for the API. The join that
 *   occupies a channel adds it after its script; the leave that vacates it removes it, then looks
 *   again and puts it back if another node occupied it meanwhile. Readers skip listed channels
 *   found empty, so an entry too many is harmless.
 */
import { channelEntry, usersEntry, type RedisKeys } from './keys.ts';
import type { Scripted } from './link.ts';

export class Indexes {
  constructor(
    private readonly redis: Scripted,
    private readonly keys: RedisKeys,
  ) {}

  /** Before a script that may create `node`'s share of a channel. */
  async addShare(node: string, app: string, channel: string): Promise<void> {
    await this.redis.sadd(this.keys.nodeIndex(node), channelEntry(app, channel));
  }

  /** After a script emptied `node`'s share of a channel (issued at once, in order). */
  removeShare(node: string, app: string, channel: string): Promise<number> {
    return this.redis.srem(this.keys.nodeIndex(node), channelEntry(app, channel));
  }

  /** Before a script that may create `node`'s share of an app's sign-ins. */
  async addUsers(node: string, app: string): Promise<void> {
    await this.redis.sadd(this.keys.nodeIndex(node), usersEntry(app));
  }

  async removeUsers(node: string, app: string): Promise<void> {
    await this.redis.srem(this.keys.nodeIndex(node), usersEntry(app));
  }

  /** After a script took a channel from 0 subscribers to some. */
  async occupied(app: string, channel: string): Promise<void> {
    await this.redis.sadd(this.keys.channels(app), channel);
  }

  /** After a script took a channel to 0: unlisted, unless it is occupied again by now. */
  async vacated(app: string, channel: string): Promise<void> {
    await this.redis.srem(this.keys.channels(app), channel);
    const subs = await this.redis.hget(this.keys.channel(app, channel), 'subs');
    if (Number(subs ?? 0) > 0) await this.occupied(app, channel);
  }
}
