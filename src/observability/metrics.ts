/** Prometheus metrics, on a registry of their own so several servers can share a process. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChannelEvent } from '../channels/channel-events.ts';

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: 'pushwire_connections',
    help: 'Open WebSocket connections',
    labelNames: ['app_id'],
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'pushwire_connections_refused_total',
    help: 'Connections refused at handshake, by close code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly framesReceived = new Counter({
    name: 'pushwire_frames_received_total',
    help: 'WebSocket frames received from clients',
    registers: [this.registry],
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
  });
  readonly apiRequests = new Counter({
    name: 'pushwire_http_api_requests_total',
    help: 'HTTP API requests, by status',
    labelNames: ['status'],
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

  readonly onChannelEvent = (event: ChannelEvent): void => {
    this.channelEvents.inc({ name: event.name });
  };
}
