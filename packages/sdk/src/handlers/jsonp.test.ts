import { describe, expect, it } from 'vitest';
import { Pushwire } from '../pushwire.ts';
import { createChannelAuthHandler } from './channel-auth.ts';
import { isSafeCallback, jsonpBody, type JsonpCallbackRule } from './jsonp.ts';

const sdk = new Pushwire({ appId: '1', key: 'app-key', secret: 'app-secret' });
const endpoint = (jsonp = true, allow = true, jsonpCallbacks?: JsonpCallbackRule) =>
  createChannelAuthHandler<null>({
    sdk,
    jsonp,
    ...(jsonpCallbacks ? { jsonpCallbacks } : {}),
    authorize: (_request, { channelName }) =>
      !allow
        ? false
        : channelName.startsWith('presence-')
          ? { user_id: 'zoë', user_info: { city: '東京' } }
          : true,
  });
const get = (params: Record<string, string>) => ({
  method: 'GET',
  query: new URLSearchParams(params),
  request: null,
});

/** Runs a JSONP body with the callback path bound to a recorder; returns what it was called with. */
function run(body: string, callback: string): unknown[] {
  const calls: unknown[] = [];
  const root = callback.split(/[.[]/)[0] as string;
  const Pusher = {
    auth_callbacks: new Proxy({}, { get: () => (value: unknown) => calls.push(value) }),
  };
  const scope: Record<string, unknown> =
    root === 'Pusher' ? { Pusher } : { [root]: build(callback, calls) };
  new Function(...Object.keys(scope), body)(...Object.values(scope));
  return calls;
}

function build(path: string, calls: unknown[]): unknown {
  const parts = path.split('.').slice(1);
  const leaf = (value: unknown) => calls.push(value);
  return parts.reduceRight<unknown>((inner, part) => ({ [part]: inner }), leaf);
}

const ANY_DOTTED = /.*/;

describe('isSafeCallback', () => {
  for (const accepted of ["Pusher.auth_callbacks['0']", "Pusher.auth_callbacks['12345']"]) {
    it(`accepts ${accepted}, what pusher-js sends`, () => {
      expect(isSafeCallback(accepted)).toBe(true);
    });
  }

  for (const dotted of ['cb', 'app.auth.done', '$x._y1', 'location.assign', 'Pusher.x']) {
    it(`refuses ${dotted} by default, and accepts it under a custom rule`, () => {
      expect(isSafeCallback(dotted)).toBe(false);
      expect(isSafeCallback(dotted, ANY_DOTTED)).toBe(true);
      expect(isSafeCallback(dotted, () => true)).toBe(true);
    });
  }

  it('makes a RegExp rule match the whole name, whatever its anchors and flags', () => {
    const rule = /app\.auth/g;
    expect(isSafeCallback('app.auth', rule)).toBe(true);
    expect(isSafeCallback('app.auth', rule)).toBe(true); // no lastIndex carried over
    expect(isSafeCallback('app.auth.steal', rule)).toBe(false);
    expect(isSafeCallback('x.app.auth', rule)).toBe(false);
  });

  it('refuses when a predicate says no, returns something else than true, or throws', () => {
    expect(isSafeCallback('cb', () => false)).toBe(false);
    expect(isSafeCallback('cb', (() => 'yes') as unknown as () => boolean)).toBe(false);
    expect(
      isSafeCallback('cb', () => {
        throw new Error('rule failed');
      }),
    ).toBe(false);
  });

  it('still accepts the pusher-js callback when a custom rule refuses everything else', () => {
    expect(isSafeCallback("Pusher.auth_callbacks['3']", () => false)).toBe(true);
  });

  const attempts = [
    'alert(1)//',
    'a;b',
    "Pusher.auth_callbacks['1'];alert(1)",
    "Pusher.auth_callbacks['1']//",
    "Pusher.auth_callbacks['x']",
    'Pusher.auth_callbacks["1"]',
    '</script><script>alert(1)</script>',
    'a b',
    'a\nb',
    'a..b',
    '.a',
    'a.',
    '1abc',
    'a[0]',
    'eval`x`',
    '',
    'a'.repeat(129),
  ];
  for (const attempt of attempts) {
    it(`refuses ${JSON.stringify(attempt).slice(0, 40)}, even under a rule accepting anything`, () => {
      expect(isSafeCallback(attempt)).toBe(false);
      expect(isSafeCallback(attempt, ANY_DOTTED)).toBe(false);
      expect(isSafeCallback(attempt, () => true)).toBe(false);
    });
  }

  it('refuses a value that is not a string', () => {
    expect(isSafeCallback(['cb'])).toBe(false);
  });
});

describe('createChannelAuthHandler (jsonp transport)', () => {
  it('answers application/javascript calling the pusher-js callback with the auth body', async () => {
    const callback = "Pusher.auth_callbacks['7']";
    const response = await endpoint()(
      get({ callback, socket_id: '1.2', channel_name: 'private-a' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript');
    expect(response.body).toBe(
      `${callback}(${JSON.stringify(sdk.authorizeChannel('1.2', 'private-a'))});`,
    );
    expect(run(response.body, callback)).toEqual([sdk.authorizeChannel('1.2', 'private-a')]);
  });

  it('refuses a dotted callback such as location.assign by default, without echoing it', async () => {
    const response = await endpoint()(
      get({ callback: 'location.assign', socket_id: '1.2', channel_name: 'private-a' }),
    );
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('location');
  });

  it('calls a custom dotted callback that jsonpCallbacks accepts', async () => {
    const response = await endpoint(
      true,
      true,
      /app\.auth\.\w+/,
    )(get({ callback: 'app.auth.done', socket_id: '1.2', channel_name: 'private-a' }));
    expect(run(response.body, 'app.auth.done')).toEqual([sdk.authorizeChannel('1.2', 'private-a')]);
    const other = await endpoint(
      true,
      true,
      /app\.auth\.\w+/,
    )(get({ callback: 'location.assign', socket_id: '1.2', channel_name: 'private-a' }));
    expect(other.status).toBe(400);
  });

  it('escapes non-ASCII so the script is ASCII and the signed channel_data is unchanged', async () => {
    const callback = "Pusher.auth_callbacks['1']";
    const response = await endpoint()(
      get({ callback, socket_id: '1.2', channel_name: 'presence-a' }),
    );
    expect(response.body).toMatch(/^[\x20-\x7e]*$/);
    const expected = sdk.authorizeChannel('1.2', 'presence-a', {
      user_id: 'zoë',
      user_info: { city: '東京' },
    });
    expect(run(response.body, callback)).toEqual([expected]);
  });

  it('escapes characters beyond the BMP as surrogate pairs', () => {
    expect(jsonpBody('cb', { mood: '😀' })).toBe('cb({"mood":"\\ud83d\\ude00"});');
  });

  for (const callback of [
    'alert(1)//',
    'a;b',
    "Pusher.auth_callbacks['1'];alert(1)",
    '<img src=x onerror=alert(1)>',
  ]) {
    it(`answers 400 without echoing when the callback is ${callback}`, async () => {
      const response = await endpoint()(
        get({ callback, socket_id: '1.2', channel_name: 'private-a' }),
      );
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.body).not.toContain(callback);
      expect(response.body).not.toContain('alert');
    });
  }

  it('answers 400 when the callback is missing', async () => {
    const response = await endpoint()(get({ socket_id: '1.2', channel_name: 'private-a' }));
    expect(response.status).toBe(400);
  });

  it('answers 403 as JSON, not script, when authorize denies', async () => {
    const response = await endpoint(
      true,
      false,
    )(get({ callback: "Pusher.auth_callbacks['1']", socket_id: '1.2', channel_name: 'private-a' }));
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 400 when the callback is fine but socket_id is invalid', async () => {
    const response = await endpoint()(
      get({ callback: "Pusher.auth_callbacks['1']", socket_id: 'x', channel_name: 'private-a' }),
    );
    expect(response.status).toBe(400);
  });

  it('tells authorize the transport is jsonp and passes the extra params', async () => {
    let seen: unknown;
    const handler = createChannelAuthHandler<null>({
      sdk,
      jsonp: true,
      jsonpCallbacks: /cb/,
      authorize: (_request, context) => {
        seen = context;
        return true;
      },
    });
    await handler(
      get({ callback: 'cb', socket_id: '1.2', channel_name: 'private-a', ticket: 't' }),
    );
    expect(seen).toEqual({
      socketId: '1.2',
      channelName: 'private-a',
      transport: 'jsonp',
      batch: false,
      params: { ticket: 't' },
    });
  });
});
