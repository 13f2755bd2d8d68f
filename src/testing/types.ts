/** The shapes `pushwire/testing` takes and gives. */
import type { AppConfig, ConfigInput } from '../config/schema.ts';
import type { ChannelAuthResponse, Pushwire, UserAuthResponse, WebHookEvent } from '@pushwire/sdk';
import type { RunningServer } from '../server/server.ts';
import type { ChannelMember, PublishedEvent } from './observed-adapter.ts';

export type { ChannelMember, PublishedEvent };

type AppSettings = Partial<Omit<AppConfig, 'webhooks'>>;

export interface TestServerOptions {
  /** The app's settings; id, key and secret default to `test-app`, `test-key`, a random secret. */
  readonly app?: AppSettings;
  /** How long the `expect…` helpers wait, in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
  /** Other server settings (see the README's configuration section). */
  readonly config?: Partial<Omit<ConfigInput, 'apps' | 'appStore' | 'host'>>;
}

export interface TestCredentials {
  readonly appId: string;
  readonly key: string;
  readonly secret: string;
  readonly host: string;
  readonly port: number;
  /** For `private-encrypted-` channels: base64 of 32 bytes. */
  readonly encryptionMasterKeyBase64: string;
}

/** What pusher-js needs to connect (pass with the key: `new Pusher(pw.key, options)`). */
export interface PusherJsOptions {
  cluster: string;
  wsHost: string;
  wsPort: number;
  wssPort: number;
  forceTLS: boolean;
  enabledTransports: Array<'ws' | 'wss'>;
  disableStats: boolean;
}

type AuthCallback<T> = (error: Error | null, data: T | null) => void;

/** pusher-js options for Node tests: auth values signed in-process, no auth endpoint needed. */
export interface PusherJsNodeOptions extends PusherJsOptions {
  channelAuthorization: {
    endpoint: string;
    transport: 'ajax';
    customHandler: (
      params: { socketId: string; channelName: string },
      callback: AuthCallback<ChannelAuthResponse>,
    ) => void;
  };
  userAuthentication: {
    endpoint: string;
    transport: 'ajax';
    customHandler: (params: { socketId: string }, callback: AuthCallback<UserAuthResponse>) => void;
  };
}

/** Options of the official `pusher` SDK (and of `pushwire/sdk`). */
export interface PusherServerOptions {
  appId: string;
  key: string;
  secret: string;
  host: string;
  port: string;
  useTLS: false;
  encryptionMasterKeyBase64: string;
}

export interface ConnectionInfo {
  readonly socketId: string;
  /** Set once the connection signed in. */
  readonly userId: string | undefined;
  readonly channels: string[];
}

export interface ChannelInfo {
  readonly name: string;
  readonly subscriptionCount: number;
  /** Presence channels: the distinct members. */
  readonly members: ChannelMember[];
}

export interface EventExpectation {
  readonly channel: string;
  readonly event: string;
  /** Compared deeply with the event's data (parsed when it is a JSON string). */
  readonly data?: unknown;
}

export interface WebhookExpectation {
  readonly name: WebHookEvent['name'];
  readonly channel?: string;
  readonly userId?: string;
}

export interface TestServer {
  readonly credentials: TestCredentials;
  /** The app key, for `new Pusher(pw.key, ...)`. */
  readonly key: string;
  /** `ws://127.0.0.1:PORT` and `http://127.0.0.1:PORT`. */
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly pusherJsOptions: PusherJsOptions;
  /** As `pusherJsOptions`, signing auth in-process; presence channels join as `user`. */
  pusherJsNodeOptions(user?: { id: string; info?: unknown }): PusherJsNodeOptions;
  readonly pusherOptions: PusherServerOptions;
  /** The SDK, pointed at this server. */
  readonly sdk: Pushwire;
  /** The running server, for what the helpers do not cover. */
  readonly server: RunningServer;

  /** Resolves with the first matching event since start or the last reset; waits for it. */
  expectEvent(expected: EventExpectation, timeoutMs?: number): Promise<PublishedEvent>;
  expectMember(channel: string, userId: string, timeoutMs?: number): Promise<ChannelMember>;
  expectNoMember(channel: string, userId: string, timeoutMs?: number): Promise<void>;
  expectWebhook(expected: WebhookExpectation, timeoutMs?: number): Promise<WebHookEvent>;
  /** Every event published since start or the last reset. */
  events(): PublishedEvent[];
  /** Every webhook received since start or the last reset. */
  webhooks(): WebHookEvent[];
  connections(): ConnectionInfo[];
  channels(): ChannelInfo[];

  /** Drops one socket, or every socket of a user; resolves with how many. Default code 4200. */
  disconnect(socketIdOrUserId: string, options?: { code?: number }): number;
  /**
   * The next subscription (to `channel`, or to any) fails: pusher-js emits
   * `pusher:subscription_error` on the channel (status 403 by default) and, as after any refusal
   * by the server, subscribes again once it reconnects.
   */
  refuseNextSubscription(channel?: string, options?: { status?: number }): void;
  /** Events published from now on reach subscribers `ms` later; 0 restores. */
  delayEvents(ms: number): void;

  /** Drops every connection and forgets events, webhooks and pending failures. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}
