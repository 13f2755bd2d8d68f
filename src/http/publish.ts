/** Publishing validated events through the Adapter, and the `info` attributes it answers with. */
import type { Publication } from '../adapter/adapter.ts';
import { channelKind } from '../protocol/channel-kind.ts';
import { channelEvent } from '../protocol/frames.ts';
import { keyedByInput } from '../protocol/json.ts';
import type { AppConfig } from '../config/schema.ts';
import type { ApiDeps } from './api.ts';
import type { EventToPublish } from './publish-input.ts';

export type ChannelAttributes = Record<
  string,
  { user_count?: number; subscription_count?: number }
>;

/**
 * Publishes each event to each of its channels, all or none; returns the `info` attributes per
 * event. The attributes are read first: a failure after delivery would answer 5xx for what was
 * delivered, and the caller's retry would deliver it twice.
 */
export async function publishEvents(
  deps: Pick<ApiDeps, 'adapter' | 'config' | 'console'>,
  app: AppConfig,
  events: readonly EventToPublish[],
): Promise<Array<ChannelAttributes | undefined>> {
  const { adapter, config, console: hub } = deps;
  const results: Array<ChannelAttributes | undefined> = [];
  for (const event of events) {
    if (event.info.length === 0) {
      results.push(undefined);
      continue;
    }
    const attributes: ChannelAttributes = keyedByInput();
    for (const channel of event.channels) {
      const stats = await adapter.channel(app.id, channel);
      const entry: { user_count?: number; subscription_count?: number } = {};
      if (event.info.includes('user_count') && channelKind(channel).isPresence)
        entry.user_count = stats?.userCount ?? 0;
      if (event.info.includes('subscription_count'))
        entry.subscription_count = stats?.subscriptionCount ?? 0;
      attributes[channel] = entry;
    }
    results.push(attributes);
  }
  const publications: Publication[] = [];
  for (const event of events) {
    for (const channel of event.channels) {
      publications.push({
        channel,
        // One frame per channel, shared by all its subscribers.
        frame: channelEvent(event.name, channel, event.data),
        ...(event.socketId === undefined ? {} : { exceptSocketId: event.socketId }),
        // [U] The excluded socket does not stop the event being cached (§9).
        ...(channelKind(channel).isCache
          ? { cache: { event: event.name, data: event.data, ttlSeconds: config.cacheTtlSeconds } }
          : {}),
      });
    }
  }
  await adapter.publishBatch(app.id, publications);
  if (hub?.watching(app.id) === true) {
    for (const { name, data, channels } of events) {
      for (const channel of channels)
        hub.publish({ name: 'api_message', appId: app.id, channel, event: name, data });
    }
  }
  return results;
}
