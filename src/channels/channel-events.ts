/**
 * Typed events about channels and presence, raised by connections and the HTTP API. Webhooks
 * and metrics subscribe to these; the names and fields are those of Pusher webhooks (§12).
 */
export type ChannelEvent =
  | { name: 'channel_occupied'; appId: string; channel: string }
  | { name: 'channel_vacated'; appId: string; channel: string }
  | { name: 'member_added'; appId: string; channel: string; userId: string }
  | { name: 'member_removed'; appId: string; channel: string; userId: string }
  | {
      name: 'client_event';
      appId: string;
      channel: string;
      event: string;
      data: unknown;
      socketId: string;
      userId?: string;
    }
  | { name: 'cache_miss'; appId: string; channel: string }
  | { name: 'subscription_count'; appId: string; channel: string; subscriptionCount: number };

export type ChannelEventSink = (event: ChannelEvent) => void;

/** Fans one event out to several sinks; a sink that throws never stops the others. */
export function fanOutSinks(sinks: ChannelEventSink[], onError: (error: unknown) => void) {
  return (event: ChannelEvent) => {
    for (const sink of sinks) {
      try {
        sink(event);
      } catch (error) {
        onError(error);
      }
    }
  };
}
