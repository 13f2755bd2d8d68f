import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appSchema, type AppConfig } from '../config/schema.ts';
import { checkHandshake, readTarget } from './handshake.ts';

const app = appSchema.parse({ id: 'app-id', key: 'app-key', secret: 'app-secret' });
const disabled = appSchema.parse({ id: 'off-id', key: 'off-key', secret: 's', enabled: false });
const limited = appSchema.parse({ id: 'lim-id', key: 'lim-key', secret: 's', maxConnections: 2 });
const apps = new Map<string, AppConfig>([
  [app.key, app],
  [disabled.key, disabled],
  [limited.key, limited],
]);

const QUERY = 'protocol=7&client=js&version=8.6.0&flash=false';
const check = (url: string, open = 0) =>
  checkHandshake(
    url,
    (key) => apps.get(key),
    () => open,
  );

describe('checkHandshake', () => {
  it('accepts the URL pusher-js 8.6.0 opens', () => {
    expect(check(`/app/app-key?${QUERY}`)).toEqual({ ok: true, app });
  });

  it('accepts a trailing slash after the key', () => {
    expect(check(`/app/app-key/?${QUERY}`).ok).toBe(true);
  });

  it.each(['4', '5', '6', '7'])('accepts protocol %s', (protocol) => {
    expect(check(`/app/app-key?protocol=${protocol}`).ok).toBe(true);
  });

  it('ignores unknown query parameters', () => {
    expect(check(`/app/app-key?${QUERY}&foo=bar&flash=true`).ok).toBe(true);
  });

  it('refuses an unknown app key with 4001', () => {
    expect(check(`/app/nope?${QUERY}`)).toEqual({
      ok: false,
      code: 4001,
      message: 'Application does not exist',
    });
  });

  it('refuses a disabled app with 4003', () => {
    expect(check(`/app/off-key?${QUERY}`)).toMatchObject({ ok: false, code: 4003 });
  });

  it('refuses an app at its connection quota with 4004', () => {
    expect(check(`/app/lim-key?${QUERY}`, 1).ok).toBe(true);
    expect(check(`/app/lim-key?${QUERY}`, 2)).toMatchObject({ ok: false, code: 4004 });
  });

  it.each(['/', '/app', '/app/', '/apps/app-key', '/app/app-key/extra', '/prefix/app/app-key'])(
    'refuses the path %s with 4005',
    (path) => {
      expect(check(`${path}?${QUERY}`)).toMatchObject({ ok: false, code: 4005 });
    },
  );

  it.each(['1', '2', '3', '8', '70', 'seven', '7.0', '-7', ' 7'])(
    'refuses protocol=%s with 4007',
    (protocol) => {
      expect(check(`/app/app-key?protocol=${encodeURIComponent(protocol)}`)).toMatchObject({
        ok: false,
        code: 4007,
      });
    },
  );

  it('refuses a missing protocol with 4008 ([U] not inferred from version, §1.2)', () => {
    expect(check('/app/app-key?client=js&version=8.6.0')).toMatchObject({ ok: false, code: 4008 });
  });

  it('refuses an empty protocol with 4008', () => {
    expect(check('/app/app-key?protocol=')).toMatchObject({ ok: false, code: 4008 });
  });

  it('checks the app before the protocol: an unknown key without protocol is 4001', () => {
    expect(check('/app/nope')).toMatchObject({ code: 4001 });
  });

  it('decodes a percent-encoded app key', () => {
    expect(check(`/app/app%2Dkey?${QUERY}`).ok).toBe(true);
  });

  it('refuses a malformed percent-encoding in the key with 4001 instead of throwing', () => {
    expect(check(`/app/%E0%A4%A?${QUERY}`)).toMatchObject({ ok: false, code: 4001 });
  });

  it('refuses a request target that is not a valid URL with 4005 instead of throwing', () => {
    expect(check(`http://[bad/app/app-key?${QUERY}`)).toMatchObject({ ok: false, code: 4005 });
  });
});

describe('readTarget', () => {
  /** What a URL parser reads from the target: the reference the plain-target path must match. */
  function parsed(url: string) {
    let target: URL;
    try {
      target = new URL(url, 'http://localhost');
    } catch {
      return undefined;
    }
    const key = /^\/app\/([^/?#]+)\/?$/.exec(target.pathname)?.[1];
    if (!key) return undefined;
    let decoded = '';
    try {
      decoded = decodeURIComponent(key);
    } catch {
      // A malformed escape reads as no key.
    }
    return { ok: true, key: decoded, protocol: target.searchParams.get('protocol') };
  }

  it.each([
    `/app/app-key?${QUERY}`,
    '/app/app-key/?protocol=7',
    '/app/app-key?protocol',
    '/app/app-key?protocol=',
    '/app/app-key?protocols=7&protocol=6&protocol=5',
    '/app/app-key?x=1&&protocol=7=8',
    '/app/a.b-c_d?',
    '/app/app-key',
  ])('reads %s as a URL parser does', (url) => {
    expect(readTarget(url)).toEqual(parsed(url));
  });

  it('reads any target as a URL parser does', () => {
    const part = fc.constantFrom(
      '/app/',
      'app-key',
      '/',
      '?',
      '&',
      '=',
      'protocol',
      '7',
      '.',
      '..',
      '%41',
      '%',
      '+',
      '#',
      'a',
      '-',
      '_',
      '\\',
      '//',
      ' ',
      'é',
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(part, { maxLength: 12 }), (app, parts) => {
        const url = (app ? '/app/' : '') + parts.join('');
        const read = readTarget(url);
        const reference = parsed(url);
        if (reference) expect(read).toEqual(reference);
        else expect(read.ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});
