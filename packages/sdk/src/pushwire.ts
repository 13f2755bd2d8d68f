/**
 * The server SDK: a drop-in for the official `pusher` npm package (same method names, arguments
 * and results), running on any runtime with `fetch`. Signing is synchronous, so
 * `res.send(sdk.authorizeChannel(...))` works as before.
 */
import { bytesToBase64 } from './crypto.ts';
import { channelSharedSecret, encryptPayload, NONCE_LENGTH } from './encryption.ts';
import { PushwireSdkError, RequestError, WebHookError } from './errors.ts';
import { sendApiRequest } from './http-client.ts';
import { resolveOptions, type PushwireOptions, type SdkConfig } from './options.ts';
import { createSignedQueryString, type QueryParams } from './signed-query.ts';
import { Token } from './token.ts';
import {
  isEncryptedChannel,
  MAX_TRIGGER_CHANNELS,
  SERVER_TO_USER_PREFIX,
  validateChannelName,
  validateEventName,
  validatePresenceData,
  validateSocketId,
  validateUserData,
  validateUserId,
} from './validate.ts';
import { WebHook, type WebHookRequest } from './webhook.ts';

export interface PresenceChannelData {
  user_id: string | number;
  user_info?: unknown;
  [field: string]: unknown;
}

export interface UserChannelData {
  id: string;
  user_info?: unknown;
  watchlist?: string[];
  [field: string]: unknown;
}

/** Key order matters: it is the byte order of the JSON the auth endpoint sends. */
export interface ChannelAuthResponse {
  channel_data?: string;
  auth: string;
  shared_secret?: string;
}

export interface UserAuthResponse {
  auth: string;
  user_data: string;
}

export interface TriggerParams {
  /** This connection does not receive the event. */
  socket_id?: string;
  /** Comma-separated attributes to return, e.g. `user_count,subscription_count`. */
  info?: string;
  [field: string]: unknown;
}

export interface BatchEvent {
  channel: string;
  name: string;
  data: unknown;
  socket_id?: string;
  info?: string;
}

export interface RequestOptions {
  /** Path under `/apps/{appId}`, e.g. `/channels`. */
  path: string;
  params?: QueryParams;
}

export interface PostOptions extends RequestOptions {
  /** JSON-encoded by the SDK. */
  body?: unknown;
}

export interface SignedQueryStringOptions {
  method: string;
  path: string;
  params?: QueryParams;
  body?: string;
}

const ensureJson = (data: unknown): string =>
  typeof data === 'string' ? data : JSON.stringify(data);

export class Pushwire {
  /** The official SDK exposes these as statics; kept so `Pusher.RequestError` checks still work. */
  static readonly Token = Token;
  static readonly RequestError = RequestError;
  static readonly WebHookError = WebHookError;

  /** The resolved options, without the secret and the master key (kept private, never logged). */
  readonly config: SdkConfig;
  readonly #token: Token;
  readonly #masterKey: Uint8Array | undefined;

  constructor(options: PushwireOptions) {
    const { secret, masterKey, ...config } = resolveOptions(options);
    this.config = Object.freeze(config);
    this.#token = new Token(config.key, secret);
    this.#masterKey = masterKey;
  }

  /** From `SCHEME://KEY:SECRET@HOST:PORT/apps/APP_ID`. */
  static forURL(url: string, options: Partial<PushwireOptions> = {}): Pushwire {
    const parsed = new URL(url);
    const segments = parsed.pathname.split('/');
    return new Pushwire({
      ...options,
      scheme: parsed.protocol.replace(/:$/, ''),
      host: parsed.hostname,
      ...(parsed.port ? { port: Number(parsed.port) } : {}),
      appId: segments[segments.length - 1] ?? '',
      key: decodeURIComponent(parsed.username),
      secret: decodeURIComponent(parsed.password),
    });
  }

  static forCluster(cluster: string, options: Omit<PushwireOptions, 'cluster' | 'host'>): Pushwire {
    return new Pushwire({ ...options, host: `api-${cluster}.pusher.com` });
  }

  /**
   * The body of a channel auth response (docs/protocol.md §5.4–§6). Presence data is serialised once
   * with `JSON.stringify`; the signature covers exactly that string.
   */
  authorizeChannel(
    socketId: string,
    channel: string,
    presenceData?: PresenceChannelData,
  ): ChannelAuthResponse {
    validateSocketId(socketId);
    validateChannelName(channel);
    let channelData: string | undefined;
    if (presenceData !== undefined && presenceData !== null) {
      validatePresenceData(presenceData);
      channelData = JSON.stringify(presenceData);
    }
    const stringToSign =
      channelData === undefined
        ? `${socketId}:${channel}`
        : `${socketId}:${channel}:${channelData}`;
    const auth = `${this.#token.key}:${this.#token.sign(stringToSign)}`;
    const sharedSecret = isEncryptedChannel(channel)
      ? bytesToBase64(this.channelSharedSecret(channel))
      : undefined;
    return {
      ...(channelData === undefined ? {} : { channel_data: channelData }),
      auth,
      ...(sharedSecret === undefined ? {} : { shared_secret: sharedSecret }),
    };
  }

  /** Deprecated name of `authorizeChannel`, kept as in the official SDK. */
  authenticate(socketId: string, channel: string, presenceData?: PresenceChannelData) {
    return this.authorizeChannel(socketId, channel, presenceData);
  }

  /** The body of a user authentication response (docs/protocol.md §8.1). */
  authenticateUser(socketId: string, userData: UserChannelData): UserAuthResponse {
    validateSocketId(socketId);
    validateUserData(userData);
    const serialized = JSON.stringify(userData);
    return {
      auth: `${this.#token.key}:${this.#token.sign(`${socketId}::user::${serialized}`)}`,
      user_data: serialized,
    };
  }

  /** Publishes one event to 1–100 channels; to one channel only when it is encrypted. */
  trigger(
    channels: string | string[],
    event: string,
    data: unknown,
    params?: TriggerParams,
  ): Promise<Response> {
    if (params?.socket_id) validateSocketId(params.socket_id);
    const list = Array.isArray(channels) ? channels : [channels];
    validateEventName(event);
    if (list.length > MAX_TRIGGER_CHANNELS) {
      throw new PushwireSdkError(
        'too_many_channels',
        `Can't trigger a message to more than ${MAX_TRIGGER_CHANNELS} channels (got ${list.length})`,
      );
    }
    for (const channel of list) validateChannelName(channel);
    return this.#publish(list, event, data, params);
  }

  /** Publishes several events in one request; each item names its own channel. */
  triggerBatch(batch: BatchEvent[]): Promise<Response> {
    const items = batch.map((item) => {
      if (item.socket_id) validateSocketId(item.socket_id);
      validateEventName(item.name);
      if (!item.channel?.startsWith(SERVER_TO_USER_PREFIX)) validateChannelName(item.channel);
      return { ...item, data: this.#encode(item.channel, item.data) };
    });
    return this.post({ path: '/batch_events', body: { batch: items } });
  }

  /** Publishes to the user's `#server-to-user-{id}` channel (docs/protocol.md §8.2). */
  sendToUser(userId: string, event: string, data: unknown): Promise<Response> {
    validateEventName(event);
    validateUserId(userId);
    return this.#publish([`${SERVER_TO_USER_PREFIX}${userId}`], event, data);
  }

  /** Closes every connection signed in as `userId` (docs/protocol.md §8.3). */
  terminateUserConnections(userId: string): Promise<Response> {
    validateUserId(userId);
    return this.post({ path: `/users/${userId}/terminate_connections`, body: {} });
  }

  get(options: RequestOptions): Promise<Response> {
    return sendApiRequest(this.config, this.#token, 'GET', options);
  }

  post(options: PostOptions): Promise<Response> {
    return sendApiRequest(this.config, this.#token, 'POST', options);
  }

  webhook(request: WebHookRequest): WebHook {
    return new WebHook(this.#token, request);
  }

  /** Signs a request built by hand; `path` is used as given (include `/apps/{id}`). */
  createSignedQueryString(options: SignedQueryStringOptions): string {
    return createSignedQueryString(this.#token, options, this.config.now() / 1000);
  }

  /** The 32-byte key of an encrypted channel (a `Uint8Array`; the official SDK gives a Buffer). */
  channelSharedSecret(channel: string): Uint8Array {
    if (this.#masterKey === undefined) {
      throw new PushwireSdkError(
        'missing_master_key',
        `Cannot derive the shared secret of ${channel}: encryptionMasterKeyBase64 is not set`,
      );
    }
    return channelSharedSecret(channel, this.#masterKey);
  }

  #publish(channels: string[], event: string, data: unknown, params?: TriggerParams) {
    if (channels.length > 1 && channels.some(isEncryptedChannel)) {
      throw new PushwireSdkError(
        'encrypted_multi_channel',
        'You cannot trigger to multiple channels when using encrypted channels',
      );
    }
    const body = { name: event, data: this.#encode(channels[0] ?? '', data), channels, ...params };
    return this.post({ path: '/events', body });
  }

  /** Event `data` as sent: encrypted on encrypted channels, else JSON unless already a string. */
  #encode(channel: string, data: unknown): string {
    if (!isEncryptedChannel(channel)) return ensureJson(data);
    const nonce = this.config.randomBytes(NONCE_LENGTH);
    return encryptPayload(this.channelSharedSecret(channel), data, nonce);
  }
}
