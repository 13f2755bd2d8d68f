/**
 * The configuration, declared once: every field's default and meaning live here. Validated at
 * start-up with unknown keys rejected, then frozen. The file shape `{host, port, apps[...]}` is
 * fixed (issue #2); later features add keys beside those.
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const WEBHOOK_EVENTS = [
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
  'subscription_count',
] as const;

export const webhookTargetSchema = z
  .object({
    /** Receives `POST` requests signed with the app's key and secret. */
    url: z.url({ protocol: /^https?$/ }),
    /** Event names to send; all when absent. */
    events: z.array(z.enum(WEBHOOK_EVENTS)).optional(),
    /** Collect events for a quarter second and post them together. */
    batch: z.boolean().default(false),
  })
  .strict();

export const appSchema = z
  .object({
    /** Used in HTTP API paths `/apps/{id}/…`. */
    id: z.string().min(1),
    /** Public; clients connect to `/app/{key}`. */
    key: z.string().min(1),
    /** Signs every auth value and API request. Never logged or sent to a client. */
    secret: z.string().min(1),
    /** A disabled app refuses connections (4003) and API calls (403). */
    enabled: z.boolean().default(true),
    /** Allow `client-` events on private and presence channels. */
    enableClientEvents: z.boolean().default(true),
    /** Allow `pusher:signin` (user authentication, server-to-user, watchlist). */
    enableUserAuthentication: z.boolean().default(true),
    /** Concurrent connections on all nodes together; `null` is unlimited. Excess ones get 4004. */
    maxConnections: positiveInt.nullable().default(null),
    /** Distinct users per presence channel (Pusher: 100). */
    maxPresenceMembers: positiveInt.default(100),
    /** Bytes of event `data` (UTF-8), for API publishes (413) and client events. [U] 10 KB = 10,240. */
    maxEventPayloadBytes: positiveInt.default(10_240),
    /** Bytes of a presence member's `user_info` JSON (Pusher: 1 KB). */
    maxPresenceUserInfoBytes: positiveInt.default(1_024),
    /** Client events per connection per second (Pusher: 10); excess gets `pusher:error` 4301. */
    maxClientEventsPerSecond: positiveInt.default(10),
    /**
     * Authorized connections: a connection that has neither signed in nor subscribed to a
     * private, presence or encrypted channel this many seconds after connecting is closed with
     * 4009. `null` (the default) leaves connections alone. [U] soketi uses 30 s and 4009.
     */
    authorizedConnectionsTimeoutSeconds: positiveInt.nullable().default(null),
    /**
     * Announce `pusher_internal:subscription_count` on non-presence channels, and answer
     * `info=subscription_count` in API calls (400 while off: Pusher answers an error then too).
     */
    enableSubscriptionCount: z.boolean().default(false),
    /** Where channel, presence and client events are posted (docs/protocol.md §12). */
    webhooks: z.array(webhookTargetSchema).default([]),
    /**
     * Browser origins that may connect: exact (`https://app.example.com`), `*`, or a subdomain
     * wildcard (`https://*.example.com`). `null` (the default) allows any. A WebSocket from
     * another origin is refused with 4009; the HTTP fallback answers CORS for these only.
     * Clients that send no `Origin` (servers, native apps) are not browsers and are not checked.
     */
    allowedOrigins: z.array(z.string().min(1)).nullable().default(null),
  })
  .strict();

export const appStoreSchema = z
  .discriminatedUnion('type', [
    /** The `apps` of this configuration. */
    z.object({ type: z.literal('config') }).strict(),
    /** A PostgreSQL table, read at start and followed through LISTEN/NOTIFY. */
    z
      .object({
        type: z.literal('postgres'),
        /** `postgres://user:password@host:port/database`; never logged. */
        url: z.string().min(1),
        /** Created with its change trigger if missing; also the LISTEN channel. */
        table: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,39}$/, 'a lower-case identifier of at most 40 characters')
          .default('pushwire_apps'),
        /** Reload the whole table this often, in case a change notification was lost. */
        refreshSeconds: positiveInt.default(30),
      })
      .strict(),
  ])
  .default({ type: 'config' });

export const tlsSchema = z
  .object({
    /** PEM certificate chain (leaf first), as a renewal writes it (`fullchain.pem`). */
    certFile: z.string().min(1),
    /** PEM private key of that certificate. */
    keyFile: z.string().min(1),
    /** How often both files are checked for a change; a changed pair is served without a restart. */
    reloadIntervalMs: positiveInt.default(10_000),
  })
  .strict();

export const configSchema = z
  .object({
    /** Interface to listen on. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port for WebSocket and HTTP API alike; 0 picks a free one. */
    port: z.number().int().min(0).max(65_535).default(6001),
    /** Serve wss:// and https:// on that port (WebSocket, HTTP API, console); `null` is plain. */
    tls: tlsSchema.nullable().default(null),
    /** Apps served. Empty means the embedded default app (id `1`, key `app-key`, secret `app-secret`). */
    apps: z.array(appSchema).default([]),
    /** Where apps come from: these `apps` (default), or a PostgreSQL table. */
    appStore: appStoreSchema,
    /** Seconds announced in `connection_established`; the server pings after this much silence. */
    activityTimeoutSeconds: positiveInt.default(120),
    /** Seconds to wait for any frame after a server ping before closing with 4201. */
    pongTimeoutSeconds: positiveInt.default(30),
    /** [U] Pusher documents 164; the official SDK allows 200. */
    maxChannelNameLength: positiveInt.default(164),
    /** Channels one connection may be subscribed to at once. [U] Pusher documents no limit. */
    maxChannelsPerConnection: positiveInt.default(1_000),
    /** Longest event name (the official SDK's limit). */
    maxEventNameLength: positiveInt.default(200),
    /** Largest WebSocket message accepted; larger ones close the socket with 1009. */
    maxFrameBytes: positiveInt.default(64 * 1024),
    /** Largest HTTP API request body; larger ones get 413. */
    maxHttpBodyBytes: positiveInt.default(1024 * 1024),
    /**
     * Request bytes held at once across all HTTP requests whose bodies are being read (each
     * already signed: unsigned ones are refused before their body). Beyond it: 503 with
     * `Retry-After`.
     */
    maxBufferedHttpBodyBytes: positiveInt.default(64 * 1024 * 1024),
    /** A request body not fully received by then is answered 408 and dropped. */
    httpBodyTimeoutMs: positiveInt.default(10_000),
    /** Seconds a cache channel keeps its last event (Pusher: up to 30 minutes). */
    cacheTtlSeconds: positiveInt.default(1_800),
    /** A socket with more unsent bytes than this is closed with 4100 (slow consumer). */
    maxBufferedBytes: positiveInt.default(1024 * 1024),
    /**
     * Serve pusher-js's HTTP fallback transports (`xhr_streaming`, `xhr_polling`) under
     * `/pusher/app/{key}/…` on the same port, for clients that cannot open a WebSocket.
     */
    httpFallback: z.boolean().default(true),
    /** Open HTTP fallback sessions on this node; more get 503. */
    maxHttpSessions: positiveInt.default(10_000),
    /**
     * This node's own hostname (no port), sent to HTTP fallback clients in the session's `o`
     * frame so that its later requests come straight here past a round-robin load balancer.
     * `null`: no hint, so the balancer must keep a session's requests on one node (sticky).
     */
    publicHostname: z.string().min(1).nullable().default(null),
    /**
     * After the connection count moves by 1,000 or more and the server goes quiet, run a few
     * garbage collections so resident memory goes back down (V8 otherwise keeps the memory the
     * change needed until allocation pressure returns).
     */
    collectGarbageWhenIdle: z.boolean().default(true),
    /** On SIGTERM/SIGINT, clients are sent 4200 and the process exits within this time. */
    shutdownTimeoutMs: positiveInt.default(5_000),
    /** How long channel_vacated and member_removed webhooks wait for a re-join (Pusher: 3 s). */
    webhookRemovalDelayMs: z.number().int().min(0).default(3_000),
    /** The first retry of a webhook the receiver did not take waits this long; each next one doubles. */
    webhookFirstRetryMs: positiveInt.default(1_000),
    /** A webhook is retried until this long after it was queued, then dead-lettered (Pusher: ~5 min). */
    webhookRetryForMs: positiveInt.default(300_000),
    /**
     * How long a node holds a webhook it is sending: if the node dies, another takes it after
     * this. The receiver gets half of it to answer, 10 s at most.
     */
    webhookLeaseMs: z.number().int().min(100).default(20_000),
    /** `local`: one node, state in memory. `redis`: several nodes share state through Redis. */
    adapter: z.enum(['local', 'redis']).default('local'),
    /**
     * Processes that share the port, one per core: each is a node of the `redis` adapter, so
     * more than 1 needs `adapter: "redis"`. A worker that crashes is started again.
     */
    workers: positiveInt.default(1),
    /** Redis for the `redis` adapter. */
    redisUrl: z.string().min(1).default('redis://127.0.0.1:6379'),
    /**
     * Run the `redis` adapter on a Redis Cluster: its seed nodes, `host:port` or
     * `redis[s]://[:password@]host:port` (the first URL's password and TLS apply to every node).
     * `null`: one Redis at `redisUrl`. Env: `PUSHWIRE_REDIS_CLUSTER` as a JSON array.
     */
    redisCluster: z.array(z.string().min(1)).min(1).nullable().default(null),
    /** Prefix of every Redis key and channel; the nodes of one cluster share it. */
    redisPrefix: z.string().min(1).default('pushwire'),
    /**
     * Seconds between the `info` lines that sum up traffic (connections, messages per second,
     * errors); none is written for an interval without traffic. `0` turns them off.
     */
    logSummarySeconds: z.number().int().min(0).default(60),
    /**
     * A node silent this long (it beats every second) is presumed dead: a survivor removes its
     * members and tells everyone. Lower detects crashes sooner; a node stalled longer than this
     * (a long GC pause) is removed and then re-added.
     */
    redisNodeTimeoutMs: z.number().int().min(2_000).default(4_000),
    /** pino level. */
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Serve Prometheus metrics at `GET /metrics`. */
    metrics: z.boolean().default(true),
    /**
     * Serve `GET /metrics` on this port instead of the client port, which then answers 404 for
     * it; `null` (the default) keeps it on the client port. 0 picks a free one.
     */
    metricsPort: z.number().int().min(0).max(65_535).nullable().default(null),
    /** Interface of the metrics port; `null` is the same as `host`. */
    metricsHost: z.string().min(1).nullable().default(null),
    /**
     * Serve the live console at `GET /console`, and each app's feed at `GET /apps/{id}/console`
     * (signed like every API request, so only a holder of the app's secret can watch it).
     */
    console: z.boolean().default(true),
  })
  .strict();

export type AppConfig = z.output<typeof appSchema>;
export type WebhookTarget = z.output<typeof webhookTargetSchema>;
export type TlsConfig = z.output<typeof tlsSchema>;
export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The app a newcomer gets with no configuration at all. */
export const DEFAULT_APP = { id: '1', key: 'app-key', secret: 'app-secret' } as const;
