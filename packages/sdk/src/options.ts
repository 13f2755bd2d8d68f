/**
 * Constructor options, the official SDK's names (so its option objects work unchanged) plus a
 * few injectable runtime hooks. Resolved once, validated, then frozen.
 */
import { PushwireSdkError } from './errors.ts';
import { decodeMasterKey } from './encryption.ts';
import { randomBytes } from './crypto.ts';

export interface PushwireOptions {
  appId: string | number;
  key: string;
  secret: string;
  /** API host of the Pushwire server. Default as in the official SDK: `api-{cluster}.pusher.com`, else `api.pusherapp.com`. */
  host?: string;
  port?: string | number;
  cluster?: string;
  /** `https` when true; default false (plain `http`). */
  useTLS?: boolean;
  /** Deprecated name of `useTLS`, still honoured. */
  encrypted?: boolean;
  /** Overrides the scheme chosen by `useTLS`. */
  scheme?: string;
  /** Request timeout in milliseconds; none by default. */
  timeout?: number;
  /** Accepted for compatibility and ignored: `fetch` has no agents. */
  agent?: unknown;
  /** Base64 of 32 random bytes; needed for `private-encrypted-` channels. */
  encryptionMasterKeyBase64?: string;
  /** Deprecated: the master key as a 32-character string. */
  encryptionMasterKey?: string;
  /** The `fetch` to use; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Clock in milliseconds (signs `auth_timestamp`); default `Date.now`. */
  now?: () => number;
  /** Random source for encryption nonces; default Web Crypto. Override in tests only. */
  randomBytes?: (length: number) => Uint8Array;
}

export interface ResolvedOptions {
  readonly appId: string | undefined;
  readonly key: string;
  readonly secret: string;
  readonly baseUrl: string;
  readonly timeout: number | undefined;
  readonly masterKey: Uint8Array | undefined;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly randomBytes: (length: number) => Uint8Array;
}

/** What a `Pushwire` instance exposes as `config`: no secret, no master key. */
export type SdkConfig = Omit<ResolvedOptions, 'secret' | 'masterKey'>;

const invalid = (message: string) => new PushwireSdkError('invalid_options', message);

function resolveMasterKey(options: PushwireOptions): Uint8Array | undefined {
  if (options.encryptionMasterKey !== undefined) {
    if (options.encryptionMasterKeyBase64 !== undefined) {
      throw invalid(
        'Give encryptionMasterKeyBase64 or the deprecated encryptionMasterKey, not both',
      );
    }
    const raw = options.encryptionMasterKey;
    if (typeof raw !== 'string' || raw.length !== 32) {
      throw invalid('encryptionMasterKey must be a string of 32 characters');
    }
    return new TextEncoder().encode(raw);
  }
  return options.encryptionMasterKeyBase64 === undefined
    ? undefined
    : decodeMasterKey(options.encryptionMasterKeyBase64);
}

export function resolveOptions(options: PushwireOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  if (typeof options.key !== 'string' || options.key === '')
    throw invalid('key must be a non-empty string');
  if (typeof options.secret !== 'string' || options.secret === '') {
    throw invalid('secret must be a non-empty string');
  }
  if (options.useTLS !== undefined && options.encrypted !== undefined) {
    throw invalid('Cannot set both `useTLS` and `encrypted` configuration options');
  }
  const useTLS = options.useTLS ?? options.encrypted ?? false;
  const scheme = options.scheme ?? (useTLS ? 'https' : 'http');
  const host =
    options.host ?? (options.cluster ? `api-${options.cluster}.pusher.com` : 'api.pusherapp.com');
  const port = options.port ? `:${options.port}` : '';
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return Object.freeze({
    appId: options.appId === undefined ? undefined : String(options.appId),
    key: options.key,
    secret: options.secret,
    baseUrl: `${scheme}://${host}${port}`,
    timeout: options.timeout,
    masterKey: resolveMasterKey(options),
    // Bound: some runtimes throw "Illegal invocation" when fetch is called detached.
    fetch: options.fetch ?? ((input, init) => fetchImpl(input, init)),
    now: options.now ?? (() => Date.now()),
    randomBytes: options.randomBytes ?? randomBytes,
  });
}
