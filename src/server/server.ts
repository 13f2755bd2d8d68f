/**
 * The composition root: builds every part from a Config, starts listening, and owns the
 * shutdown order (stop accepting, tell clients to reconnect with 4200, drain, close).
 */
import type { AddressInfo } from 'node:net';
import type { Adapter } from '../adapter/adapter.ts';
import { consoleLinked } from '../adapter/cluster.ts';
import { LocalAdapter } from '../adapter/local.ts';
import type { AppStore } from '../apps/app-store.ts';
import { openAppStore } from '../apps/open.ts';
import {
  fanOutSinks,
  type ChannelEvent,
  type ChannelEventSink,
} from '../channels/channel-events.ts';
import type { Config } from '../config/schema.ts';
import { systemClock, type Clock } from '../connection/transport.ts';
import { ConsoleHub } from '../console/hub.ts';
import { ConsoleRelay } from '../console/relay.ts';
import { createApi, createApiScreen } from '../http/api.ts';
import { createRouter } from '../http/router.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { apiRefusals } from '../observability/api-refusals.ts';
import { BudgetedLog, LogBudget } from '../observability/log-budget.ts';
import { TrafficSummary, logTraffic } from '../observability/traffic-summary.ts';
import { ErrorCode } from '../protocol/codes.ts';
import type { HttpRequest } from '../http/types.ts';
import { HttpFallback } from '../transport/http-fallback/endpoint.ts';
import { HttpListener } from '../transport/http-listener.ts';
import { MetricsListener } from '../transport/metrics-listener.ts';
import {
  expiryWarning,
  readTlsFiles,
  watchTlsFiles,
  type TlsMaterial,
} from '../transport/tls-files.ts';
import {
  WebhookDispatcher,
  fetchSender,
  systemScheduler,
  type WebhookAttempt,
} from '../webhooks/dispatcher.ts';
import { MemoryWebhookQueue } from '../webhooks/memory-queue.ts';
import type { WebhookQueue } from '../webhooks/queue.ts';
import { WebSocketEndpoint, type ConnectionObserver } from '../transport/ws-endpoint.ts';
import { PUBLIC_DEFAULT_APP_WARNING, exposesPublicDefaultApp } from './exposure.ts';
import { startFields, startLine } from './start-line.ts';

export type { ConnectionHandle, ConnectionObserver } from '../transport/ws-endpoint.ts';

export interface ServerOptions {
  readonly logger?: Logger;
  readonly adapter?: Adapter;
  readonly apps?: AppStore;
  readonly clock?: Clock;
  /** Extra consumers of channel events (webhooks, tests). */
  readonly eventSinks?: ChannelEventSink[];
  /** Told of each connection as it opens and closes (pushwire/testing). */
  readonly connectionObserver?: ConnectionObserver;
  /** Told of each webhook delivery attempt (the live console). */
  readonly onWebhookAttempt?: (attempt: WebhookAttempt) => void;
  /** What `GET /metrics` answers instead of this server's own registry (a worker: every worker's). */
  readonly scrapeMetrics?: () => Promise<MetricsText>;
}

export interface MetricsText {
  readonly contentType: string;
  readonly body: string;
}

export interface RunningServer {
  readonly config: Config;
  readonly host: string;
  readonly port: number;
  /** `ws://host:port` (`wss://` with TLS), the base pusher-js connects to. */
  readonly wsUrl: string;
  /** Whether the port serves TLS (wss and https). */
  readonly tls: boolean;
  readonly httpUrl: string;
  readonly metrics: Metrics;
  /** `http://host:port/metrics` on the metrics port, when `metricsPort` is set. */
  readonly metricsUrl: string | undefined;
  /** The apps served, as the configured store has them now. */
  readonly apps: AppStore;
  readonly connections: () => number;
  /** Graceful: clients get 4200 and reconnect elsewhere; resolves once all is closed. */
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Read first: files that cannot be served stop the start before anything is opened.
  const certificate = config.tls ? readTlsFiles(config.tls) : undefined;
  const metrics = new Metrics({ defaultMetrics: config.metrics });
  const clock = options.clock ?? systemClock;
  // Events an adapter raises itself (a Redis node reclaiming a dead node's members) reach the
  // same sinks as every other channel event; the sinks exist only once the adapter does.
  let events: ChannelEventSink = () => undefined;
  const adapter =
    options.adapter ?? (await createAdapter(config, clock, logger, (event) => events(event)));
  // A store handed in belongs to the caller; one opened here is closed here.
  const ownsApps = options.apps === undefined;
  let apps: AppStore;
  try {
    apps = options.apps ?? (await openAppStore(config, logger));
  } catch (error) {
    await adapter.close();
    throw error;
  }
  const consoleHub = config.console ? new ConsoleHub() : undefined;
  // A store that changes at run time may gain an app with webhooks later.
  let webhooks: WebhookDispatcher | undefined;
  if (apps.dynamic || apps.all().some((app) => app.webhooks.length > 0)) {
    try {
      webhooks = await createWebhooks(config, apps, adapter, logger, (attempt) => {
        metrics.webhookAttempts.inc({ outcome: attempt.outcome });
        options.onWebhookAttempt?.(attempt);
        if (consoleHub?.watching(attempt.appId))
          consoleHub.publish({ name: 'webhook', ...attempt });
      });
    } catch (error) {
      await adapter.close();
      if (ownsApps) await apps.close();
      throw error;
    }
  }
  // Across a cluster, the console shows every node's entries to whoever watches on any node.
  const linked = consoleHub && consoleLinked(adapter);
  const consoleRelay = linked
    ? new ConsoleRelay(consoleHub, linked.consoleLink(), (error) =>
        logger.warn({ err: error }, 'live console: the other nodes cannot be reached'),
      )
    : undefined;
  const sinks = [
    metrics.onChannelEvent,
    ...(consoleHub ? [consoleHub.publish] : []),
    ...(webhooks ? [webhooks.sink] : []),
    ...(options.eventSinks ?? []),
  ];
  events = fanOutSinks(sinks, (error) =>
    logger.error({ err: error }, 'error in channel event sink'),
  );
  const traffic = new TrafficSummary();
  const endpoint = new WebSocketEndpoint({
    config,
    counts: traffic.counts,
    apps,
    adapter,
    events,
    clock,
    logger,
    metrics,
    console: consoleHub,
    ...(options.connectionObserver ? { observer: options.connectionObserver } : {}),
  });
  const fallback = config.httpFallback
    ? new HttpFallback({ config, apps, connections: endpoint, clock, logger, metrics })
    : undefined;
  let ready = true;
  const scrape = config.metrics
    ? (options.scrapeMetrics ??
      (async () => ({
        contentType: metrics.registry.contentType,
        body: await metrics.registry.metrics(),
      })))
    : undefined;
  // With a metrics port, /metrics is served there only: the client port is often public.
  const metricsListener =
    scrape && config.metricsPort !== null ? new MetricsListener({ scrape, logger }) : undefined;
  const apiDeps = {
    config,
    apps,
    adapter,
    clock,
    metrics,
    console: consoleHub,
    ...(webhooks ? { webhooks } : {}),
  };
  const api = createApi(apiDeps);
  const screen = createApiScreen(apiDeps);
  const refused = apiRefusals(new BudgetedLog(logger, () => clock.now()), traffic.counts);
  const router = createRouter({
    notReady: () => (ready ? adapter.notReady() : 'draining'),
    api: async (request) => {
      traffic.counts.apiRequests++;
      return refused(request, await api(request));
    },
    screenApi: (head) => {
      const answer = screen(head);
      if (!answer) return undefined;
      // Refused before its body was read: still a request, and still told why.
      traffic.counts.apiRequests++;
      return refused(head, answer);
    },
    console: config.console,
    ...(fallback ? { fallback: (request: HttpRequest) => fallback.handle(request) } : {}),
    ...(scrape && !metricsListener ? { metrics: scrape } : {}),
  });
  const listener = new HttpListener({
    maxBodyBytes: config.maxHttpBodyBytes,
    maxBufferedBodyBytes: config.maxBufferedHttpBodyBytes,
    bodyTimeoutMs: config.httpBodyTimeoutMs,
    handle: router.handle,
    screen: router.screen,
    endpoint,
    logger,
    onInternalError: () => {
      metrics.internalErrors.inc();
      traffic.counts.errors++;
    },
    ...(certificate ? { tls: certificate } : {}),
  });
  const warnOfExpiry = (material: TlsMaterial) => {
    const warning = expiryWarning(material, clock.now());
    if (warning) logger.warn({ certificate: material.summary }, warning);
  };
  if (certificate) warnOfExpiry(certificate);
  const tlsWatch =
    config.tls && certificate
      ? watchTlsFiles({
          tls: config.tls,
          served: certificate,
          onReload: (material) => {
            listener.setCertificate(material);
            logger.info({ certificate: material.summary }, 'TLS certificate reloaded');
            warnOfExpiry(material);
          },
          onError: (error) =>
            logger.warn(
              { err: error },
              'TLS files changed but do not load; still serving the previous pair',
            ),
        })
      : undefined;
  const stopTrafficLog = logTraffic(traffic, {
    seconds: config.logSummarySeconds,
    connections: () => endpoint.size,
    logger,
  });
  /** Last in every shutdown: webhooks, then the adapter and the app store this server opened. */
  const releaseBackends = async () => {
    stopTrafficLog();
    tlsWatch?.close();
    consoleRelay?.close();
    await webhooks?.close();
    await adapter.close();
    if (ownsApps) await apps.close();
  };
  let address;
  let metricsAddress;
  try {
    address = await listener.listen(config.port, config.host);
    if (metricsListener && config.metricsPort !== null) {
      metricsAddress = await metricsListener
        .listen(config.metricsPort, config.metricsHost ?? config.host)
        .catch(async (error: unknown) => {
          await listener.close();
          throw error;
        });
    }
  } catch (error) {
    // A port already in use, say: release what was built, so an embedding process is not held.
    fallback?.close();
    endpoint.close();
    await releaseBackends();
    throw error;
  }
  const host = urlHost(address);
  const secure = certificate ? 's' : '';
  const wsUrl = `ws${secure}://${host}:${address.port}`;
  logger.info(
    startFields(config, apps, wsUrl, certificate?.summary),
    startLine(config, apps, wsUrl),
  );
  if (exposesPublicDefaultApp(config, address.address)) {
    logger.warn({ address: wsUrl }, `PUBLIC DEFAULT APP: ${PUBLIC_DEFAULT_APP_WARNING}`);
  }
  let stopping: Promise<void> | undefined;

  const stop = async () => {
    // Keep listening while sockets drain, so readiness probes see 503 rather than a refusal.
    ready = false;
    endpoint.drain(ErrorCode.ReconnectNow, 'Server is restarting: reconnect');
    const drainMs = Math.max(0, config.shutdownTimeoutMs - 1500);
    await Promise.all([endpoint.whenEmpty(drainMs), fallback?.whenEmpty(drainMs)]);
    const closed = listener.close();
    fallback?.close();
    endpoint.close();
    // Every session must have left its channels before the adapter goes: a Redis adapter takes
    // this node's remaining share back on close, and a late leave would be counted twice.
    await Promise.race([endpoint.settled(), delay(1000)]);
    await Promise.race([closed, delay(250)]);
    listener.server.closeAllConnections();
    await metricsListener?.close();
    await releaseBackends();
  };

  return {
    config,
    host: address.address,
    port: address.port,
    tls: certificate !== undefined,
    wsUrl,
    httpUrl: `http${secure}://${host}:${address.port}`,
    metrics,
    metricsUrl:
      metricsAddress && `http://${urlHost(metricsAddress)}:${metricsAddress.port}/metrics`,
    apps,
    connections: () => endpoint.size,
    stop: () => (stopping ??= stop()),
  };
}

const urlHost = (address: AddressInfo) =>
  address.family === 'IPv6' ? `[${address.address}]` : address.address;

/** Whether a held removal still holds: nobody re-occupied the channel or brought the user back. */
async function stillGone(adapter: Adapter, event: ChannelEvent): Promise<boolean> {
  if (event.name === 'channel_vacated') {
    return (await adapter.channel(event.appId, event.channel)) === undefined;
  }
  if (event.name === 'member_removed') {
    return !(await adapter.members(event.appId, event.channel)).includes(event.userId);
  }
  return true;
}

/** With the Redis adapter, webhooks wait in Redis, so they outlive the node that queued them. */
async function createWebhooks(
  config: Config,
  apps: AppStore,
  adapter: Adapter,
  logger: Logger,
  onAttempt: (attempt: WebhookAttempt) => void,
): Promise<WebhookDispatcher> {
  let queue: WebhookQueue = new MemoryWebhookQueue();
  if (config.adapter === 'redis') {
    const { RedisWebhookQueue } = await import('../webhooks/redis-queue.ts');
    queue = await RedisWebhookQueue.connect({
      url: config.redisUrl,
      cluster: config.redisCluster,
      prefix: config.redisPrefix,
      onError: (error) => logger.warn({ err: error }, 'webhook queue: redis error'),
    });
  }
  // A receiver that is down fails every attempt, and clients raise client_event webhooks at
  // will: failures are logged within a budget (20 lines per 10 s), not once per attempt.
  const failures = new LogBudget(20, 10_000);
  return new WebhookDispatcher({
    apps,
    queue,
    send: fetchSender,
    scheduler: systemScheduler,
    removalDelayMs: config.webhookRemovalDelayMs,
    firstRetryMs: config.webhookFirstRetryMs,
    retryForMs: config.webhookRetryForMs,
    leaseMs: config.webhookLeaseMs,
    onError: (error, url) => {
      const allowed = failures.take(Date.now());
      if (allowed) logger.warn({ err: error, url, ...allowed }, 'webhook delivery failed');
    },
    stillGone: (event) => stillGone(adapter, event),
    onAttempt,
  });
}

async function createAdapter(
  config: Config,
  clock: Clock,
  logger: Logger,
  onReclaim: ChannelEventSink,
): Promise<Adapter> {
  if (config.adapter === 'local') return new LocalAdapter({ now: () => clock.now() });
  // Loaded only when asked for, so a single node never loads ioredis.
  const { RedisAdapter } = await import('../adapter/redis/adapter.ts');
  return RedisAdapter.connect({
    url: config.redisUrl,
    cluster: config.redisCluster,
    prefix: config.redisPrefix,
    nodeTimeoutMs: config.redisNodeTimeoutMs,
    onError: (error) => logger.warn({ err: error }, 'redis adapter error'),
    // Once when it starts, once with its length when it ends: not once per request.
    onOutage: (event) =>
      event.state === 'down'
        ? logger.error(
            { err: event.error },
            'redis unreachable: the API answers 503, new subscriptions wait, sockets stay open',
          )
        : logger.warn({ outageMs: event.ms }, 'redis reachable again: state resynchronized'),
    onReclaim,
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
