/** Prometheus metrics, on a registry of their own so several servers can share a process. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChannelEvent } from '../channels/channel-events.ts';

export class Metrics {
  readonly registry = new Registry();
  /**
   * Per-frame and per-event counts since the last scrape, folded into their counters on
   * `collect`. A prom-client `inc` hashes and validates labels on every call: ~3% of the server's
   * CPU during a burst of private subscribes (bench/RESULTS.md), for a figure read once a scrape.
   */
  #framesReceivedSinceScrape = 0;
  readonly #channelEventsSinceScrape = new Map<string, number>();
  /** Open connections per app, set on the gauge at each scrape (as the counts above). */
  readonly #connectionsPerApp = new Map<string, number>();
  readonly connections = new Gauge({
    name: 'pushwire_connections',
    help: 'Open connections, WebSocket and HTTP fallback',
    labelNames: ['app_id'],
    registers: [this.registry],
    collect: () => {
      for (const [app_id, count] of this.#connectionsPerApp)
        this.connections.set({ app_id }, count);
    },
  });
  readonly httpSessions = new Gauge({
    name: 'pushwire_http_fallback_sessions',
    help: 'Open HTTP fallback (xhr_streaming, xhr_polling) sessions, also in pushwire_connections',
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'pushwire_connections_refused_total',
    help: 'Connections refused at handshake, by close code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  /** Counted with `frameReceived()`. */
  readonly framesReceived = new Counter({
    name: 'pushwire_frames_received_total',
    help: 'WebSocket frames received from clients',
    registers: [this.registry],
    collect: () => {
      const pending = this.#framesReceivedSinceScrape;
      this.#framesReceivedSinceScrape = 0;
      if (pending > 0) this.framesReceived.inc(pending);
    },
  });
  readonly framesSent = new Counter({
    name: 'pushwire_frames_sent_total',
    help: 'WebSocket frames sent to clients',
    registers: [this.registry],
  });
  readonly slowConsumers = new Counter({
    name: 'pushwire_slow_consumer_disconnects_total',
    help: 'Sockets closed because their send buffer passed maxBufferedBytes',
    registers: [this.registry],
  });
  readonly channelEvents = new Counter({
    name: 'pushwire_channel_events_total',
    help: 'Channel lifecycle and client events, by webhook name',
    labelNames: ['name'],
    registers: [this.registry],
    collect: () => {
      for (const [name, count] of this.#channelEventsSinceScrape)
        this.channelEvents.inc({ name }, count);
      this.#channelEventsSinceScrape.clear();
    },
  });
  readonly apiRequests = new Counter({
    name: 'pushwire_http_api_requests_total',
    help: 'HTTP API requests, by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: 'pushwire_webhook_attempts_total',
    help: 'Webhook requests made, by outcome: delivered, retrying, dead-lettered, dropped',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly internalErrors = new Counter({
    name: 'pushwire_internal_errors_total',
    help: 'Exceptions caught in handlers',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** A connection of `appId` opened (+1) or closed (-1): a Map update, not a labelled `inc`. */
  connectionCounted(appId: string, delta: 1 | -1): void {
    this.#connectionsPerApp.set(appId, (this.#connectionsPerApp.get(appId) ?? 0) + delta);
  }

  frameReceived(): void {
    this.#framesReceivedSinceScrape++;
  }

  readonly onChannelEvent = (event: ChannelEvent): void => {
    const pending = this.#channelEventsSinceScrape;
    pending.set(event.name, (pending.get(event.name) ?? 0) + 1);
  };
}
