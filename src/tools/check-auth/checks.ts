/**
 * The contract of an auth endpoint (PROTOCOL.md §5.4–§6, §8.1, §13), as checks over one
 * response: status, content type, body, `auth`, signature, presence data, shared secret, user
 * data, JSONP. Pure: a response in, one result per check out, each failure with its most likely
 * cause. The HTTP calls live in probe.ts.
 */
import { channelKind } from '../../protocol/channel-kind.ts';
import { diagnoseSignature, presenceMistakes, privateMistakes, userMistakes } from './diagnose.ts';

export interface Received {
  readonly status: number;
  /** The `Content-Type` header as sent, or undefined. */
  readonly contentType: string | undefined;
  readonly body: string;
  /** The `Location` header of a redirect. */
  readonly location?: string | undefined;
}

export interface CheckResult {
  /** Short name: `status`, `content type`, `body`, `auth`, `signature`, … */
  readonly name: string;
  readonly ok: boolean;
  /** What holds, or what is wrong. */
  readonly message: string;
  /** For a failure: the most likely cause, in plain words. */
  readonly cause?: string;
}

export interface CheckContext {
  readonly key: string;
  readonly secret: string;
  readonly socketId: string;
  /** Set in JSONP mode: the callback name sent. */
  readonly callback?: string | undefined;
}

const pass = (name: string, message: string): CheckResult => ({ name, ok: true, message });
const fail = (name: string, message: string, cause: string): CheckResult => ({
  name,
  ok: false,
  message,
  cause,
});

/** Why an endpoint may answer `status` instead of 200. */
function statusCause(status: number, received: Received): string {
  if (status >= 300 && status < 400) {
    const to = received.location ? ` to ${received.location}` : '';
    return `a redirect${to}: most likely to a login page, so the request lacks the session (pass it with --cookie)`;
  }
  if (status === 400) {
    return 'the endpoint did not read socket_id and channel_name: it must parse a form-encoded body (application/x-www-form-urlencoded), as pusher-js sends';
  }
  if (status === 401) {
    return 'the endpoint does not see a logged-in user: pass the session with --cookie or the token with --header';
  }
  if (status === 403) {
    return 'the endpoint refused: if the user must be logged in, pass the session with --cookie or --header; if this channel is meant to be refused, name it with --expect-deny';
  }
  if (status === 404)
    return 'nothing is routed at this URL: check the path (pusher-js posts to /pusher/auth by default)';
  if (status === 405)
    return 'the route does not accept this method: pusher-js POSTs (and GETs for JSONP)';
  if (status === 419) {
    return "a CSRF check refused the request (Laravel's 419): pass the CSRF token with --header 'X-CSRF-Token: …' and the session with --cookie, as pusher-js does through channelAuthorization.headers";
  }
  if (status >= 500) return 'the endpoint failed: its logs say why';
  return 'pusher-js treats every status but 200 as a failed authorization';
}

export function checkStatus(received: Received, expect: 'allow' | 'deny'): CheckResult {
  const { status } = received;
  if (expect === 'deny') {
    if (status === 403) return pass('status', '403, as expected for a denied channel');
    if (status === 200) {
      return fail(
        'status',
        '200 where 403 belongs: the endpoint allows a channel it should deny',
        'the authorization decision allows everything (does it return true, or sign, without checking the user?)',
      );
    }
    return fail(
      'status',
      `${status} where 403 belongs`,
      status === 401
        ? '401 means "not logged in"; a refused channel is answered 403'
        : statusCause(status, received),
    );
  }
  if (status === 200) return pass('status', '200');
  return fail('status', `${status} instead of 200`, statusCause(status, received));
}

const mediaType = (contentType: string | undefined) =>
  contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

export function checkContentType(received: Received, jsonp: boolean): CheckResult {
  const type = mediaType(received.contentType);
  const shown = received.contentType ?? 'none';
  const wanted = jsonp ? ['application/javascript', 'text/javascript'] : ['application/json'];
  if (wanted.includes(type)) return pass('content type', shown);
  if (type === 'text/html') {
    return fail(
      'content type',
      `text/html instead of ${wanted[0]}`,
      "an HTML page came back: most likely a framework's error or login page rather than the auth response",
    );
  }
  return fail(
    'content type',
    `${shown} instead of ${wanted[0]}`,
    jsonp
      ? 'a JSONP answer is a script: send Content-Type: application/javascript'
      : 'send the body with Content-Type: application/json (res.json(...) in Express)',
  );
}

/** The body as an object, or the check that failed. */
export function parseBody(
  received: Received,
  callback: string | undefined,
):
  | { ok: true; value: Record<string, unknown>; check: CheckResult }
  | { ok: false; check: CheckResult } {
  let json = received.body;
  if (callback !== undefined) {
    const trimmed = received.body.trim();
    const prefix = `${callback}(`;
    if (!trimmed.startsWith(prefix) || !/\);?$/.test(trimmed)) {
      return {
        ok: false,
        check: fail(
          'body',
          `is not a call of the callback ${callback}(...)`,
          'a JSONP endpoint answers `<callback>(<auth JSON>);` with the callback name it was given',
        ),
      };
    }
    json = trimmed.slice(prefix.length).replace(/\);?$/, '');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    const start = received.body.trimStart().slice(0, 1);
    return {
      ok: false,
      check: fail(
        'body',
        callback === undefined ? 'is not JSON' : 'the callback argument is not JSON',
        start === '<'
          ? 'it is HTML: an error or login page'
          : 'the endpoint must send the JSON that the SDK returns, unchanged',
      ),
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      check: fail('body', 'is JSON but not an object', 'send the object the SDK returns, as JSON'),
    };
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).join(', ') || 'no fields';
  return {
    ok: true,
    value: record,
    check: pass(
      'body',
      callback === undefined ? `JSON with ${keys}` : `${callback}(JSON) with ${keys}`,
    ),
  };
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

/** Every check of one channel's answer, stopping where later checks would mean nothing. */
export function checkChannelAnswer(
  context: CheckContext,
  channel: string,
  expect: 'allow' | 'deny',
  received: Received,
): CheckResult[] {
  const status = checkStatus(received, expect);
  if (expect === 'deny' || !status.ok) return [status];
  const results = [status, checkContentType(received, context.callback !== undefined)];
  const body = parseBody(received, context.callback);
  results.push(body.check);
  if (!body.ok) return results;
  const auth = checkAuthField(body.value, context.key);
  results.push(auth.check);
  if (!auth.ok) return results;
  const kind = channelKind(channel);
  const { socketId } = context;
  let expected = `${socketId}:${channel}`;
  let expectedForm = 'socket_id:channel';
  let wrongStrings = privateMistakes(
    socketId,
    channel,
    typeof body.value.channel_data === 'string' ? body.value.channel_data : undefined,
  );
  if (kind.isPresence) {
    const data = checkChannelData(body.value);
    results.push(data.check);
    if (!data.ok) return results;
    expected = `${socketId}:${channel}:${data.channelData}`;
    expectedForm = 'socket_id:channel:channel_data';
    wrongStrings = presenceMistakes(socketId, channel, data.channelData);
  }
  results.push(signatureCheck(context, auth.signature, expected, expectedForm, wrongStrings));
  if (kind.isEncrypted) results.push(checkSharedSecret(body.value));
  return results;
}

/** Every check of a user-authentication answer (PROTOCOL.md §8.1). */
export function checkUserAnswer(context: CheckContext, received: Received): CheckResult[] {
  const status = checkStatus(received, 'allow');
  if (!status.ok) return [status];
  const results = [status, checkContentType(received, context.callback !== undefined)];
  const body = parseBody(received, context.callback);
  results.push(body.check);
  if (!body.ok) return results;
  const auth = checkAuthField(body.value, context.key);
  results.push(auth.check);
  if (!auth.ok) return results;
  const userData = checkUserData(body.value);
  results.push(userData.check);
  if (!userData.ok) return results;
  const expected = `${context.socketId}::user::${userData.userData}`;
  results.push(
    signatureCheck(
      context,
      auth.signature,
      expected,
      'socket_id::user::user_data',
      userMistakes(context.socketId, userData.userData),
    ),
  );
  return results;
}

function checkUserData(
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

function signatureCheck(
  context: CheckContext,
  signature: string,
  expected: string,
  expectedForm: string,
  wrongStrings: ReturnType<typeof privateMistakes>,
): CheckResult {
  const verdict = diagnoseSignature({
    key: context.key,
    secret: context.secret,
    signature,
    expected,
    expectedForm,
    wrongStrings,
  });
  return verdict.ok
    ? pass('signature', `verifies over ${expectedForm}`)
    : fail('signature', verdict.message, verdict.cause);
}

/**
 * The answer to a hostile callback name: refusing it (4xx) or stripping it to safe characters
 * are both correct; echoing it is script injection.
 */
export function checkCallbackEscaping(hostile: string, received: Received): CheckResult {
  const name = 'callback escaping';
  if (received.status >= 400 && received.status < 500) {
    return pass(name, `refuses a hostile callback name (${received.status})`);
  }
  if (received.status !== 200) {
    return fail(
      name,
      `answers ${received.status} to a hostile callback name`,
      'refuse an invalid callback with 400 (or strip it to safe characters)',
    );
  }
  const callee = received.body.trim().split('(')[0] ?? '';
  if (received.body.includes(hostile) || !/^[\w$.[\]']*$/.test(callee)) {
    return fail(
      name,
      'echoes a hostile callback name unescaped',
      "any page can run its own script through it: accept only Pusher.auth_callbacks['N'] (isSafeCallback in pushwire/sdk)",
    );
  }
  return pass(name, 'strips a hostile callback name to safe characters');
}
