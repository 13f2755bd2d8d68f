/**
 * Checks of the fields of an answer: `auth`, `channel_data`, `shared_secret`, `user_data`
 * (docs/protocol.md §5.4–§6, §8.1). Pure, each failure with its most likely cause.
 */
import { fail, pass, type CheckResult } from './result.ts';

/** Pusher's presence limits (docs/protocol.md §5.2), which the server enforces: 128 and 1 KB. */
const MAX_USER_ID_LENGTH = 128;
const MAX_USER_INFO_BYTES = 1024;
const PRESENCE_LIMITS_CAUSE =
  'the server refuses such a member: keep user_id short and user_info to what other members need';

function presenceLimit(userId: string, userInfo: unknown): string | undefined {
  if (userId.length > MAX_USER_ID_LENGTH) {
    return `user_id is ${userId.length} characters, more than ${MAX_USER_ID_LENGTH}`;
  }
  const bytes = userInfo === undefined ? 0 : Buffer.byteLength(JSON.stringify(userInfo));
  if (bytes > MAX_USER_INFO_BYTES) {
    return `user_info is ${bytes} bytes of JSON, more than ${MAX_USER_INFO_BYTES} (the server's default)`;
  }
  return undefined;
}

/** The signature in `auth`, or the check that failed. */
export function checkAuthField(
  body: Record<string, unknown>,
  key: string,
): { ok: true; signature: string; check: CheckResult } | { ok: false; check: CheckResult } {
  const auth = body.auth;
  if (typeof auth !== 'string') {
    return {
      ok: false,
      check: fail(
        'auth',
        auth === undefined ? 'missing' : `is a ${typeof auth}, not a string`,
        'the response must carry `auth: "KEY:signature"` as the SDK returns it',
      ),
    };
  }
  const colon = auth.indexOf(':');
  const givenKey = colon < 0 ? '' : auth.slice(0, colon);
  const signature = colon < 0 ? auth : auth.slice(colon + 1);
  if (colon < 0) {
    return {
      ok: false,
      check: fail(
        'auth',
        'has no `KEY:` prefix',
        'auth is the app key, a colon, then the signature',
      ),
    };
  }
  if (givenKey !== key) {
    return {
      ok: false,
      check: fail(
        'auth',
        `names the key "${givenKey}", not "${key}"`,
        'the endpoint is configured with another app (check its key and secret)',
      ),
    };
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    return {
      ok: false,
      check: fail(
        'auth',
        `the signature is not 64 hex digits (${signature.length} characters)`,
        /^[A-Za-z0-9+/]{43}=$/.test(signature)
          ? 'it looks like base64: hex-encode the HMAC-SHA256 digest'
          : 'it must be the hex HMAC-SHA256 digest',
      ),
    };
  }
  return { ok: true, signature, check: pass('auth', `${key}:<64 hex digits>`) };
}

/** `channel_data` of a presence answer: present, a JSON string, with a usable user_id. */
export function checkChannelData(
  body: Record<string, unknown>,
): { ok: true; channelData: string; check: CheckResult } | { ok: false; check: CheckResult } {
  const data = body.channel_data;
  if (data === undefined) {
    return {
      ok: false,
      check: fail(
        'channel_data',
        'missing from a presence answer',
        'a presence channel needs the member: authorizeChannel(socketId, channel, { user_id, user_info }) (only a connection already signed in may go without)',
      ),
    };
  }
  if (typeof data !== 'string') {
    return {
      ok: false,
      check: fail(
        'channel_data',
        `is a${typeof data === 'object' ? 'n object' : ` ${typeof data}`}, not a string`,
        'channel_data is JSON inside a string (double-encoded), exactly the string that was signed',
      ),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return {
      ok: false,
      check: fail('channel_data', 'is not valid JSON', 'send JSON.stringify of the member'),
    };
  }
  const userId =
    parsed !== null && typeof parsed === 'object'
      ? (parsed as { user_id?: unknown }).user_id
      : undefined;
  const valid =
    (typeof userId === 'string' && userId !== '') ||
    (typeof userId === 'number' && Number.isFinite(userId));
  if (!valid) {
    return {
      ok: false,
      check: fail(
        'channel_data',
        userId === undefined
          ? 'has no user_id'
          : `user_id is ${JSON.stringify(userId) ?? String(userId)}, not a non-empty string or a number`,
        'the member object is { user_id, user_info? }; user_id names the user (is the user logged in?)',
      ),
    };
  }
  const limit = presenceLimit(String(userId), (parsed as { user_info?: unknown }).user_info);
  if (limit) return { ok: false, check: fail('channel_data', limit, PRESENCE_LIMITS_CAUSE) };
  return {
    ok: true,
    channelData: data,
    check: pass('channel_data', `user_id ${JSON.stringify(userId)}`),
  };
}

export function checkSharedSecret(body: Record<string, unknown>): CheckResult {
  const secret = body.shared_secret;
  if (typeof secret !== 'string') {
    return fail(
      'shared_secret',
      'missing from an encrypted channel answer',
      'set encryptionMasterKeyBase64 in the SDK: it adds the channel key to private-encrypted- answers',
    );
  }
  const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(secret) ? Buffer.from(secret, 'base64') : undefined;
  if (bytes?.length !== 32) {
    return fail(
      'shared_secret',
      `is ${bytes ? `${bytes.length} bytes` : 'not base64'} once decoded, not 32`,
      'the master key must be base64 of 32 random bytes (openssl rand -base64 32)',
    );
  }
  return pass('shared_secret', '32 bytes');
}

/** `user_data` of a user-authentication answer: a JSON string of an object with a string id. */
export function checkUserData(
  body: Record<string, unknown>,
): { ok: true; userData: string; check: CheckResult } | { ok: false; check: CheckResult } {
  const data = body.user_data;
  if (typeof data !== 'string') {
    return {
      ok: false,
      check: fail(
        'user_data',
        data === undefined ? 'missing' : 'is not a string',
        'user_data is the user as a JSON string (double-encoded), exactly the string that was signed',
      ),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return {
      ok: false,
      check: fail('user_data', 'is not valid JSON', 'send JSON.stringify of the user'),
    };
  }
  const id =
    parsed !== null && typeof parsed === 'object' ? (parsed as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') {
    return {
      ok: false,
      check: fail(
        'user_data',
        id === undefined ? 'has no id' : `id is ${JSON.stringify(id)}, not a non-empty string`,
        'pusher-js drops a sign-in whose user id is not a string: send { id: String(user.id), ... }',
      ),
    };
  }
  return { ok: true, userData: data, check: pass('user_data', `id ${JSON.stringify(id)}`) };
}
