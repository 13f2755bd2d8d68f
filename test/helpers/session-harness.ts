/**
 * Runs Sessions against a LocalAdapter with a fake transport and a fake clock: the whole
 * per-connection protocol with no socket and no timer.
 */
import type PusherServer from 'pusher';
import { expect } from 'vitest';
import { LocalAdapter } from '../../src/adapter/local.ts';
import type { ChannelEvent } from '../../src/channels/channel-events.ts';
import type { SubscriptionCountThrottle } from '../../src/channels/count-throttle.ts';
import { appSchema, configSchema, DEFAULT_APP, type AppConfig } from '../../src/config/schema.ts';
import { Session, type SessionLimits } from '../../src/connection/session.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeTransport, type WireFrame } from './fake-transport.ts';
import { sdk } from './sdk.ts';
import { settle } from './wait.ts';

export interface TestConnection {
  readonly session: Session;
  readonly transport: FakeTransport;
  readonly socketId: string;
  /** Sends a client frame (an object is JSON-encoded) and lets async handlers finish. */
  send(frame: object | string): Promise<void>;
  subscribe(channel: string, extra?: { auth?: string; channel_data?: string }): Promise<void>;
  /** Subscribes with an auth value made by the official SDK (private/presence/encrypted). */
  subscribeSigned(channel: string, presence?: PusherServer.PresenceChannelData): Promise<void>;
  signIn(user: { id: string; user_info?: unknown; watchlist?: string[] }): Promise<void>;
  close(): Promise<void>;
  /** Frames sent since the last call. */
  take(): WireFrame[];
  errors(): { code: number | null; message: string }[];
}

export interface Hub {
  readonly clock: FakeClock;
  readonly adapter: LocalAdapter;
  readonly app: AppConfig;
  readonly limits: SessionLimits;
  /** Channel events (webhook material) raised so far. */
  readonly events: ChannelEvent[];
  readonly internalErrors: unknown[];
  /** Opens a session; `socketId` defaults to a fresh `n.n` id. */
  connect(socketId?: string): TestConnection;
}

export function createHub(
  options: {
    app?: Partial<AppConfig>;
    limits?: Partial<SessionLimits>;
    /** Shared subscription_count throttle, as the endpoint gives its sessions. */
    countThrottle?: SubscriptionCountThrottle;
    /** Builds the adapter (a LocalAdapter subclass, say, to delay its answers). */
    adapter?: (now: () => number) => LocalAdapter;
  } = {},
): Hub {
  const clock = new FakeClock();
  const now = () => clock.now();
  const adapter = options.adapter?.(now) ?? new LocalAdapter({ now });
  const app = appSchema.parse({ ...DEFAULT_APP, ...options.app });
  const defaults = configSchema.parse({});
  const limits: SessionLimits = {
    activityTimeoutSeconds: defaults.activityTimeoutSeconds,
    pongTimeoutSeconds: defaults.pongTimeoutSeconds,
    maxChannelNameLength: defaults.maxChannelNameLength,
    maxEventNameLength: defaults.maxEventNameLength,
    maxChannelsPerConnection: defaults.maxChannelsPerConnection,
    ...options.limits,
  };
  const events: ChannelEvent[] = [];
  const internalErrors: unknown[] = [];
  let next = 1;

  const connect = (socketId = `${next}.${next++}`): TestConnection => {
    const transport = new FakeTransport();
    const session = new Session(socketId, transport, {
      app,
      limits,
      adapter,
      clock,
      events: (event) => events.push(event),
      ...(options.countThrottle ? { countThrottle: options.countThrottle } : {}),
      onInternalError: (error) => internalErrors.push(error),
    });
    session.open();
    const send = async (frame: object | string) => {
      session.receive(typeof frame === 'string' ? frame : JSON.stringify(frame));
      await settle();
    };
    const subscribe = (channel: string, extra: { auth?: string; channel_data?: string } = {}) =>
      send({ event: 'pusher:subscribe', data: { auth: '', ...extra, channel } });
    return {
      session,
      transport,
      socketId,
      send,
      subscribe,
      subscribeSigned: (channel, presence) => {
        // Like pusher-js: only auth and channel_data travel; shared_secret stays client-side.
        const { auth, channel_data } = sdk.authorizeChannel(socketId, channel, presence);
        return subscribe(channel, channel_data === undefined ? { auth } : { auth, channel_data });
      },
      signIn: (user) => {
        const { auth, user_data } = sdk.authenticateUser(socketId, user);
        return send({ event: 'pusher:signin', data: { auth, user_data } });
      },
      close: async () => {
        await session.handleClose();
        await settle();
      },
      take: () => transport.take(),
      errors: () => transport.errors(),
    };
  };

  return { clock, adapter, app, limits, events, internalErrors, connect };
}

/** `data` of a frame whose data is a JSON string (the double-encoded server events). */
export function parsedData<T = Record<string, unknown>>(frame: WireFrame | undefined): T {
  if (!frame) throw new Error('no frame');
  if (typeof frame.data !== 'string') throw new Error(`data of ${frame.event} is not a string`);
  return JSON.parse(frame.data) as T;
}

/** True once the session confirmed `channel` with subscription_succeeded. */
export const isSubscribed = (c: TestConnection, channel: string): boolean =>
  c.transport.frames.some(
    (f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel,
  );

/** The last `pusher:error` data the session sent. */
export const lastError = (c: TestConnection) => c.errors().at(-1);

/** Still open and still answering: a ping gets a pong. */
export async function expectAlive(c: TestConnection): Promise<void> {
  expect(c.session.closed).toBe(false);
  expect(c.transport.closedWith).toBeUndefined();
  c.take();
  await c.send({ event: 'pusher:ping', data: {} });
  expect(c.take()).toEqual([{ event: 'pusher:pong', data: '{}' }]);
}
