/**
 * The official `pusher` server SDK, used as the independent source of auth values in tests.
 * Signing is local: no request is ever made through these instances.
 */
import PusherServer from 'pusher';
import { DEFAULT_APP } from '../../src/config/schema.ts';

/** Base64 of bytes 0x00..0x1f, as in vectors.json. */
export const MASTER_KEY_BASE64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

export function sdkFor(
  options: { appId?: string; key?: string; secret?: string; port?: number } = {},
): PusherServer {
  return new PusherServer({
    appId: options.appId ?? DEFAULT_APP.id,
    key: options.key ?? DEFAULT_APP.key,
    secret: options.secret ?? DEFAULT_APP.secret,
    host: '127.0.0.1',
    port: String(options.port ?? 80),
    useTLS: false,
    encryptionMasterKeyBase64: MASTER_KEY_BASE64,
  });
}

/** The default app's SDK, and one holding the wrong secret. */
export const sdk = sdkFor();
export const wrongSecretSdk = sdkFor({ secret: 'not-the-app-secret' });
