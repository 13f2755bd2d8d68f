/**
 * The WebSocket edge: accepts upgrades, runs the handshake check, wires each `ws` socket to a
 * Session, and runs the one shared keep-alive sweep (no per-connection timers). Outgoing frames
 * go through one WriteBatcher shared by all sockets (see write-batcher.ts). A connection costs
 * its sockets, its Session and its transport: listeners, Session dependencies and send settings
 * are shared, so no closure is made per connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Adapter } from '../adapter/adapter.ts';
import { countAnnouncer } from '../adapter/cluster.ts';
import type { AppStore } from '../apps/app-store.ts';
import type { ChannelEventSink } from '../channels/channel-events.ts';
import { SubscriptionCountThrottle } from '../channels/count-throttle.ts';
import { announceHeldCounts } from '../channels/held-counts.ts';
import type { Config } from '../config/schema.ts';
import {
  appRefusal,
  checkHandshake,
  type Handshake,
  type Refusal,
} from '../connection/handshake.ts';
import type { ConsoleHub } from '../console/hub.ts';
import { Session, type SessionDeps, type SessionTrace } from '../connection/session.ts';
import { newSocketId } from '../connection/socket-id.ts';
import type { Clock, Transport } from '../connection/transport.ts';
import { BudgetedLog } from '../observability/log-budget.ts';
import { withoutSignatures } from '../observability/log-safe.ts';
import { emptyTrafficCounts, type TrafficCounts } from '../observability/traffic-summary.ts';
import { logTrace, peerOf, type Peer } from './connection-log.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { ErrorCode } from '../protocol/codes.ts';
import { errorFrame } from '../protocol/frames.ts';
import { ClusterQuota } from './cluster-quota.ts';
import { IdleCollector } from './idle-collector.ts';
import { originAllowed } from './origins.ts';
import { WriteBatcher } from './write-batcher.ts';
import { WsTransport, type SendContext } from './ws-transport.ts';

/** A connection as an observer sees it: who it is, and a way to drop it. */
export interface ConnectionHandle {
  readonly socketId: string;
  readonly appId: string;
  /** Set once the connection signed in. */
  readonly userId: string | undefined;
  /** Sends `pusher:error` with `code` and closes with it. */
  disconnect(code: number, message: string): void;
}

/** Told of each connection as it opens and as it closes (pushwire/testing uses it). */
export interface ConnectionObserver {
  opened(connection: ConnectionHandle): void;
  closed(connection: ConnectionHandle): void;
}

export interface EndpointDeps {
  readonly config: Config;
  readonly apps: AppStore;
  readonly adapter: Adapter;
  readonly events: ChannelEventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The live console's feed, when it is served. */
  readonly console?: ConsoleHub;
  readonly observer?: ConnectionObserver;
  /** Added to as connections come and go and frames pass (the traffic summary's counts). */
  readonly counts?: TrafficCounts;
}

const SWEEP_INTERVAL_MS = 1000;

/** The outcome of opening a connection: its Session, or the refusal it was sent. */
export type Admission = { ok: true; session: Session } | Refusal;

/** A browser page from an origin its app does not allow is refused like an unauthorized socket. */
function checkOrigin(handshake: Handshake, origin: string | undefined): Handshake {
  if (!handshake.ok || originAllowed(handshake.app.allowedOrigins, origin)) return handshake;
  const appId = handshake.app.id;
  return { ok: false, code: ErrorCode.Unauthorized, message: 'Origin not allowed', appId };
}

/** A `ws` socket that carries its Session, so one set of listeners serves every connection. */
class SessionSocket extends WebSocket {
  session: Session | undefined = undefined;
}

function receive(ws: WebSocket, data: RawData, isBinary: boolean): void {
  const session = (ws as SessionSocket).session;
  if (!session) return;
  // Binary frames are not part of the protocol (§1.5); they are answered like bad JSON.
  if (isBinary) session.rejectBinaryFrame();
  else session.receive(data.toString());
}

function onPong(this: WebSocket): void {
  (this as SessionSocket).session?.touch();
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

export class WebSocketEndpoint {
  readonly #server: WebSocketServer;
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<SessionSocket>();
  readonly #perApp = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;
  readonly #collector: IdleCollector | undefined;
  /** Frames sent and received since the last sweep: tells the collector whether it is quiet. */
  readonly #traffic = { frames: 0 };
  readonly #countThrottle: SubscriptionCountThrottle;
  readonly #quota: ClusterQuota;
  readonly #send: SendContext;
  /** Session dependencies per app id, shared by that app's open connections. */
  readonly #sessionDeps = new Map<string, { app: SessionDeps['app'] } & SessionDeps>();
  readonly #onError: (error: Error) => void;
  readonly #log: BudgetedLog;
  readonly #onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly #onClose: (this: WebSocket, code: number) => void;
  /** Set while shutting down: the message new arrivals get. */
  #draining: string | undefined;
  /** Sessions still leaving their channels after their socket closed. */
  readonly #closing = new Set<Promise<void>>();
  readonly #counts: TrafficCounts;
  readonly #debug: boolean;

  constructor(private readonly deps: EndpointDeps) {
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: deps.config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: SessionSocket,
    });
    this.#sweep = setInterval(() => {
      // A timer callback that throws would end the process: report it and sweep again next time.
      try {
        this.#runSweep();
      } catch (error) {
        deps.metrics.internalErrors.inc();
        deps.logger.error({ err: error }, 'error in the keep-alive sweep');
      }
    }, SWEEP_INTERVAL_MS);
    this.#sweep.unref();
    // A cluster that elects one announcer per channel keeps the throttle's interval cluster-wide.
    const shared = countAnnouncer(deps.adapter) !== undefined;
    this.#countThrottle = new SubscriptionCountThrottle(undefined, undefined, shared);
    this.#quota = new ClusterQuota(
      deps.adapter,
      (id) => this.#perApp.get(id) ?? 0,
      () => deps.clock.now(),
    );
    this.#collector = deps.config.collectGarbageWhenIdle ? new IdleCollector() : undefined;
    const { metrics } = deps;
    const counts = (this.#counts = deps.counts ?? emptyTrafficCounts());
    // Decided once: at info, no connection builds a log entry it would throw away.
    this.#debug = deps.logger.isLevelEnabled('debug');
    this.#send = {
      batcher: new WriteBatcher((frames) => this.countSent(frames)),
      maxBufferedBytes: deps.config.maxBufferedBytes,
      onSlowConsumer: () => metrics.slowConsumers.inc(),
    };
    this.#log = new BudgetedLog(deps.logger, () => deps.clock.now());
    const log = this.#log;
    this.#onError = (error) => log.clientMistake({ err: error }, 'socket error');
    const traffic = this.#traffic;
    this.#onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      metrics.frameReceived();
      traffic.frames++;
      counts.framesIn++;
      receive(this, data, isBinary);
    };
    const forget = (ws: SessionSocket, code: number) => this.#forget(ws, code);
    this.#onClose = function (this: WebSocket, code: number) {
      forget(this as SessionSocket, code);
    };
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * A frame another transport (the HTTP fallback) received, counted as a socket's is: metrics,
   * traffic summary, idle collector. `keepAlive`: a ping, which its pong answers.
   */
  countReceived(keepAlive = false): void {
    this.deps.metrics.frameReceived();
    this.#traffic.frames++;
    this.#counts.framesIn++;
    if (keepAlive) {
      this.#counts.keepAliveIn++;
      this.#counts.keepAliveOut++;
    }
  }

  /** Frames written to any transport's clients. */
  countSent(frames: number): void {
    this.deps.metrics.framesSent.inc(frames);
    this.#traffic.frames += frames;
    this.#counts.framesOut += frames;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    // The first connection of a quota'd app on this node waits for the other nodes' count.
    const first = this.#quota.firstCheck(request.url ?? '/', this.deps.apps);
    if (first) void first.then(() => this.#upgrade(request, socket, head));
    else this.#upgrade(request, socket, head);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '/';
    // Corked for the upgrade: ws's 101 response and our first frame (connection_established,
    // or a refusal) then leave in one write instead of two syscalls. The transport hands its
    // first frame over before the uncork (`flushNow`); a refusal's close does the same.
    socket.cork();
    try {
      this.#server.handleUpgrade(request, socket, head, (ws) => {
        // Nothing thrown while setting a connection up may reach the process.
        try {
          const peer = this.#debug ? peerOf(request) : undefined;
          this.#accept(ws as SessionSocket, socket, url, request.headers.origin, peer);
        } catch (error) {
          this.#failed(error);
          ws.terminate();
        }
      });
    } catch (error) {
      this.#failed(error);
      socket.destroy();
    } finally {
      socket.uncork();
    }
  }

  #failed(error: unknown): void {
    this.deps.metrics.internalErrors.inc();
    this.#counts.errors++;
    this.deps.logger.error({ err: error }, 'error while accepting a connection');
  }

  #accept(
    ws: SessionSocket,
    socket: Duplex,
    url: string,
    origin: string | undefined,
    peer: Peer | undefined,
  ): void {
    ws.on('error', this.#onError);
    this.#sockets.add(ws);
    // `on`, not `once`: `once` wraps the listener in a closure per connection; ws emits close once.
    ws.on('close', this.#onClose);
    const transport = new WsTransport(ws, socket, this.#send);
    const admitted = this.#admit(url, origin, transport, ws, peer);
    if (!admitted.ok) return;
    ws.on('message', this.#onMessage);
    ws.on('pong', onPong);
    admitted.session.open();
    // Into the socket while the upgrade still corks it: the 101 and this frame in one write.
    transport.flushNow();
  }

  /**
   * Opens a connection that arrived over another transport (the HTTP fallback) with the same
   * checks, counts, keep-alive sweep, console and observer as a WebSocket. `url` has the
   * WebSocket form `/app/{key}?protocol=…`. A refused connection has been sent `pusher:error`
   * and closed through `transport`; an admitted one has been sent `connection_established`.
   * The transport calls `release` once its connection has ended.
   */
  admit(url: string, origin: string | undefined, transport: Transport): Admission {
    const admitted = this.#admit(url, origin, transport);
    if (admitted.ok) admitted.session.open();
    return admitted;
  }

  #admit(
    url: string,
    origin: string | undefined,
    transport: Transport,
    /** The WebSocket the session is bound to; none for the HTTP fallback. */
    ws?: SessionSocket,
    peer?: Peer,
  ): Admission {
    const { apps, metrics } = this.deps;
    // While draining, new arrivals are told to back off (4100: retry in a second), not 4200,
    // which would send them straight back here in a tight loop until the listener closes.
    const handshake = this.#draining
      ? { ok: false as const, code: ErrorCode.OverCapacity, message: this.#draining }
      : checkOrigin(
          checkHandshake(url, (key) => apps.byKey(key), this.#quota.open),
          origin,
        );
    if (!handshake.ok) {
      metrics.connectionsRefused.inc({ code: String(handshake.code) });
      const { appId, code, message } = handshake;
      this.#counts.errors++;
      if (this.#debug) {
        this.deps.logger.debug(
          { ...peer, path: url.split('?')[0]?.slice(0, 200), code, reason: message },
          `connection refused (${code}): ${message}`,
        );
      }
      if (appId !== undefined && this.deps.console?.watching(appId)) {
        this.deps.console.publish({ name: 'refused', appId, code, reason: message });
      }
      transport.send(errorFrame(handshake.code, handshake.message));
      transport.close(handshake.code, handshake.message);
      return handshake;
    }
    const app = handshake.app;
    const socketId = newSocketId((id) => this.#sessions.has(id));
    const session = new Session(socketId, transport, this.#depsFor(app));
    if (ws) ws.session = session;
    this.#sessions.set(socketId, session);
    this.#perApp.set(app.id, (this.#perApp.get(app.id) ?? 0) + 1);
    this.deps.adapter.countConnection(app.id, 1);
    metrics.connectionCounted(app.id, 1);
    this.#counts.opened++;
    if (this.#debug) {
      this.deps.logger.debug({ socketId, appId: app.id, ...peer }, 'connection opened');
    }
    if (this.deps.console?.watching(app.id)) {
      this.deps.console.publish({ name: 'connected', appId: app.id, socketId });
    }
    try {
      this.deps.observer?.opened(session);
    } catch (error) {
      // Registered already: a throw here would leave an HTTP fallback session counted for ever.
      this.deps.logger.error({ err: error }, 'error in the connection observer');
    }
    return { ok: true, session };
  }

  #forget(ws: SessionSocket, code: number): void {
    this.#sockets.delete(ws);
    if (ws.session) this.release(ws.session, code);
  }

  /** A connection has ended: it leaves its channels and signs out. Once per admitted session. */
  release(session: Session, code?: number): void {
    if (this.#sessions.get(session.socketId) !== session) return;
    this.#sessions.delete(session.socketId);
    this.#perApp.set(session.appId, (this.#perApp.get(session.appId) ?? 1) - 1);
    this.deps.adapter.countConnection(session.appId, -1);
    this.deps.metrics.connectionCounted(session.appId, -1);
    this.#counts.closed++;
    if (this.#debug) {
      const entry = { socketId: session.socketId, appId: session.appId };
      this.deps.logger.debug(entry, 'connection closed');
    }
    if (this.deps.console?.watching(session.appId)) {
      const entry = { appId: session.appId, socketId: session.socketId, code };
      this.deps.console.publish({ name: 'disconnected', ...entry });
    }
    try {
      this.deps.observer?.closed(session);
    } catch (error) {
      // A close listener that throws would end the process: report it instead.
      this.deps.logger.error({ err: error }, 'error in the connection observer');
    }
    this.#track(session.handleClose());
  }

  #depsFor(app: SessionDeps['app']): SessionDeps {
    let deps = this.#sessionDeps.get(app.id);
    if (deps) {
      // A changed app (a new object from a dynamic store) reaches its open connections too.
      deps.app = app;
    } else {
      const { config, adapter, clock, events, metrics, logger } = this.deps;
      deps = {
        app,
        limits: config,
        adapter,
        clock,
        events,
        countThrottle: this.#countThrottle,
        counts: this.#counts,
        ...(this.deps.console ? { console: this.deps.console } : {}),
        onInternalError: (error) => {
          metrics.internalErrors.inc();
          this.#counts.errors++;
          this.#log.internalError({ err: error, appId: app.id }, 'error in message handler');
        },
        onRefusal: (socketId, code, message, channel) => {
          // The client was told the signature it sent; the log is not.
          const reason = withoutSignatures(message);
          const about = channel === undefined ? {} : { channel };
          this.#log.clientMistake(
            { appId: app.id, socketId, ...about, code, reason },
            'client frame refused',
          );
        },
        ...(this.#debug
          ? {
              trace: (socketId: string, entry: SessionTrace) =>
                logTrace(logger, app.id, socketId, entry),
            }
          : {}),
      };
      this.#sessionDeps.set(app.id, deps);
    }
    return deps;
  }

  /** Once a second: keep-alive, app changes, held counts, and memory after a storm. */
  #runSweep(): void {
    for (const session of this.#sessions.values()) session.checkActivity();
    if (this.deps.apps.dynamic) this.#followAppChanges();
    announceHeldCounts(this.deps, this.#countThrottle);
    this.#quota.refresh();
    this.#collector?.observe(this.#sessions.size, this.#traffic.frames);
    this.#traffic.frames = 0;
  }

  /**
   * Applies what a dynamic app store changed to the apps with open connections: a changed app
   * replaces the one their sessions share (sessions read it at use time, so a rotated secret or a
   * new limit applies to their next subscription or event), and the connections of an app that
   * was removed or disabled are closed with 4001 or 4003, as a new one would be refused.
   */
  #followAppChanges(): void {
    for (const [id, deps] of this.#sessionDeps) {
      const app = this.deps.apps.byId(id);
      if (app === deps.app) continue;
      if (app?.enabled) {
        deps.app = app;
        continue;
      }
      this.#sessionDeps.delete(id);
      const { code, message } = appRefusal(app);
      for (const session of this.#sessions.values()) {
        if (session.appId === id) session.disconnect(code, message);
      }
    }
  }

  /**
   * Shutdown: sends every client `code` (4200: reconnect now) and closes it; connections that
   * arrive from now on are refused with 4100.
   */
  drain(code: number, message: string): void {
    this.#draining = 'Server is shutting down: retry shortly';
    for (const session of this.#sessions.values()) session.disconnect(code, message);
  }

  /** Resolves once every closed connection has left its channels and signed out. */
  async settled(): Promise<void> {
    while (this.#closing.size > 0) await Promise.all(this.#closing);
  }

  /** Resolves once every socket has closed, or after `timeoutMs` (then the rest are dropped). */
  async whenEmpty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Drops every socket still open; their sessions start leaving at once (see `settled`). */
  close(): void {
    clearInterval(this.#sweep);
    for (const socket of this.#sockets) socket.terminate();
    for (const session of this.#sessions.values()) this.#track(session.handleClose());
    this.#server.close();
  }

  #track(closing: Promise<void>): void {
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }
}
