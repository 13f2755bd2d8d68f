/**
 * Checks of the HTTP layer of an answer: status, content type, body, and JSONP's callback
 * (docs/protocol.md §13). Pure, each failure with its most likely cause.
 */
import { fail, pass, type CheckResult, type Received } from './result.ts';

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
