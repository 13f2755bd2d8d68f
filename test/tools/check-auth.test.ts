/**
 * `pushwire check-auth` against a local server of broken auth endpoints (one per check) and
 * against the SDK's own handlers, which must pass.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuthCommand } from '../../src/tools/check-auth/command.ts';
import type { CheckAuthReport } from '../../src/tools/check-auth/run.ts';
import { KEY, SECRET, startBrokenEndpoints } from './broken-endpoints.ts';

let endpoints: Awaited<ReturnType<typeof startBrokenEndpoints>>;
beforeAll(async () => {
  endpoints = await startBrokenEndpoints();
});
afterAll(() => endpoints.close());

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await checkAuthCommand(args, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  return { code, out, err };
}

/** check-auth --json on `path`; the report and the exit code. */
async function check(path: string, ...args: string[]) {
  const result = await run([
    '--url',
    `${endpoints.base}/${path}`,
    '--key',
    KEY,
    '--secret',
    SECRET,
    '--json',
    ...args,
  ]);
  return { code: result.code, report: JSON.parse(result.out) as CheckAuthReport };
}

/** The first failing check of the report. */
const failure = (report: CheckAuthReport) =>
  report.probes
    .flatMap((p) => p.checks.map((c) => ({ ...c, target: p.target })))
    .find((c) => !c.ok);

describe('check-auth against the SDK handlers', () => {
  it('passes every default channel kind and a denied channel', async () => {
    const { code, report } = await check('sdk/auth', '--expect-deny', 'private-denied');
    expect(failure(report)).toBeUndefined();
    expect(code).toBe(0);
    expect(report.probes.map((p) => p.target)).toEqual([
      'private-pushwire-check',
      'presence-pushwire-check',
      'private-encrypted-pushwire-check',
      'private-denied',
    ]);
    expect(report.socketId).toMatch(/^\d+\.\d+$/);
  });

  it('passes over JSONP, including the hostile callback probe', async () => {
    const { code, report } = await check('sdk/auth', '--jsonp');
    expect(failure(report)).toBeUndefined();
    expect(code).toBe(0);
    expect(report.probes[0]?.sent.method).toBe('GET');
    expect(report.probes[0]?.sent.fields.callback).toBe("Pusher.auth_callbacks['1']");
  });

  it('sends the --header and --cookie values, as pusher-js sends headers and cookies', async () => {
    const channel = ['--channel', 'private-needs-csrf'];
    expect((await check('sdk/auth', ...channel)).code).toBe(1);
    const { code } = await check(
      'sdk/auth',
      ...channel,
      ...['--header', 'X-CSRF-Token: tok', '--cookie', 'session=abc'],
    );
    expect(code).toBe(0);
  });

  it('passes the user-authentication handler, over ajax and JSONP', async () => {
    expect((await check('sdk/user-auth', '--user-auth')).code).toBe(0);
    expect((await check('sdk/user-auth', '--user-auth', '--jsonp')).code).toBe(0);
  });

  it('prints one line per check with ✓ and what was sent and received', async () => {
    const { code, out } = await run([
      '--url',
      `${endpoints.base}/sdk/auth`,
      '--key',
      KEY,
      '--secret',
      SECRET,
      '--channel',
      'private-orders',
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(
      /private-orders: POST socket_id=\d+\.\d+ channel_name=private-orders → 200 application\/json/,
    );
    expect(out).toContain('  ✓ signature: verifies over socket_id:channel');
    expect(out).toContain('All 5 checks pass.');
    expect(out).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('check-auth against broken endpoints', () => {
  const cases: Array<[string, string[], string, RegExp]> = [
    [
      'sig-channel-only',
      ['--channel', 'private-a'],
      'signature',
      /over the channel name without the socket id/,
    ],
    ['sig-swapped', ['--channel', 'private-a'], 'signature', /order is swapped/],
    [
      'sig-other-secret',
      ['--channel', 'private-a'],
      'signature',
      /does not verify over `socket_id:channel` with this secret/,
    ],
    [
      'sig-key-as-secret',
      ['--channel', 'private-a'],
      'signature',
      /matches `socket_id:channel` signed with the app key/,
    ],
    ['sig-upper', ['--channel', 'private-a'], 'signature', /upper-case hex/],
    ['sig-base64', ['--channel', 'private-a'], 'auth', /not 64 hex digits/],
    ['wrong-key', ['--channel', 'private-a'], 'auth', /names the key "other-key"/],
    ['no-auth', ['--channel', 'private-a'], 'auth', /missing/],
    ['not-json', ['--channel', 'private-a'], 'body', /is not JSON/],
    ['html', ['--channel', 'private-a'], 'content type', /text\/html instead of application\/json/],
    ['text-plain', ['--channel', 'private-a'], 'content type', /text\/plain instead/],
    [
      'no-channel-data',
      ['--channel', 'presence-a'],
      'channel_data',
      /missing from a presence answer/,
    ],
    [
      'channel-data-object',
      ['--channel', 'presence-a'],
      'channel_data',
      /is an object, not a string/,
    ],
    ['channel-data-not-json', ['--channel', 'presence-a'], 'channel_data', /not valid JSON/],
    [
      'bad-user-id',
      ['--channel', 'presence-a'],
      'channel_data',
      /user_id is "", not a non-empty string/,
    ],
    [
      'big-user-info',
      ['--channel', 'presence-a'],
      'channel_data',
      /user_info is \d+ bytes of JSON/,
    ],
    [
      'presence-sig-without-data',
      ['--channel', 'presence-a'],
      'signature',
      /leaving channel_data out/,
    ],
    [
      'presence-reserialized',
      ['--channel', 'presence-a'],
      'signature',
      /different serialization of channel_data/,
    ],
    ['no-shared-secret', ['--channel', 'private-encrypted-a'], 'shared_secret', /missing/],
    [
      'short-shared-secret',
      ['--channel', 'private-encrypted-a'],
      'shared_secret',
      /5 bytes once decoded, not 32/,
    ],
    [
      'allow-all',
      ['--channel', 'private-a', '--expect-deny', 'private-denied'],
      'status',
      /200 where 403 belongs/,
    ],
    [
      'status-401-deny',
      ['--channel', 'private-a', '--expect-deny', 'private-denied'],
      'status',
      /401 where 403 belongs/,
    ],
    ['status-500', ['--channel', 'private-a'], 'status', /500 instead of 200/],
    ['status-419', ['--channel', 'private-a'], 'status', /419 instead of 200/],
    ['status-404', ['--channel', 'private-a'], 'status', /404 instead of 200/],
    ['redirect', ['--channel', 'private-a'], 'status', /302 instead of 200/],
    [
      'jsonp-plain-json',
      ['--channel', 'private-a', '--jsonp'],
      'content type',
      /application\/json instead of application\/javascript/,
    ],
    [
      'jsonp-echo',
      ['--channel', 'private-a', '--jsonp'],
      'callback escaping',
      /echoes a hostile callback name/,
    ],
    ['user-single-colons', ['--user-auth'], 'signature', /single colons/],
    ['user-numeric-id', ['--user-auth'], 'user_data', /id is 42, not a non-empty string/],
    ['user-no-user-data', ['--user-auth'], 'user_data', /missing/],
  ];
  for (const [path, args, name, message] of cases) {
    it(`fails ${path} on ${name}`, async () => {
      const { code, report } = await check(path, ...args);
      expect(code).toBe(1);
      const failed = failure(report);
      expect(failed).toMatchObject({ name, message: expect.stringMatching(message) });
      expect(failed?.cause).toEqual(expect.any(String));
    });
  }

  it('names the likely cause of a 419, an HTML page and another secret', async () => {
    expect(
      failure((await check('sig-other-secret', '--channel', 'private-a')).report)?.cause,
    ).toMatch(/most likely it is signed with another secret/);
    expect(failure((await check('status-419', '--channel', 'private-a')).report)?.cause).toMatch(
      /CSRF/,
    );
    expect(failure((await check('html', '--channel', 'private-a')).report)?.cause).toMatch(
      /error or login page/,
    );
  });

  it('accepts a content type with a charset, and a numeric presence user_id', async () => {
    expect((await check('json-charset', '--channel', 'private-a')).code).toBe(0);
    expect((await check('numeric-user-id', '--channel', 'presence-a')).code).toBe(0);
  });

  it('accepts a JSONP endpoint that strips the callback to safe characters', async () => {
    expect((await check('jsonp-strip', '--channel', 'private-a', '--jsonp')).code).toBe(0);
  });

  it('prints ✗ with the likely cause in text mode', async () => {
    const { code, out } = await run([
      '--url',
      `${endpoints.base}/sig-channel-only`,
      '--key',
      KEY,
      '--secret',
      SECRET,
      '--channel',
      'private-a',
    ]);
    expect(code).toBe(1);
    expect(out).toContain(
      '  ✗ signature: does not verify: it is over the channel name without the socket id; likely cause: sign exactly `socket_id:channel`',
    );
    expect(out).toContain('1 of 5 checks fail.');
  });
});

describe('check-auth usage and reachability', () => {
  it('exits 2 when a required flag is missing', async () => {
    const { code, err } = await run(['--url', 'http://127.0.0.1:1/x', '--key', KEY]);
    expect(code).toBe(2);
    expect(err).toContain('--secret is required');
    expect(err).toContain('Usage: pushwire check-auth');
  });

  it('exits 2 on a malformed --header', async () => {
    const { code, err } = await run([
      ...['--url', `${endpoints.base}/sdk/auth`, '--key', KEY, '--secret', SECRET],
      ...['--header', 'no colon here'],
    ]);
    expect(code).toBe(2);
    expect(err).toContain("--header must look like 'Name: value'");
  });

  it('exits 2 when nothing listens at the URL', async () => {
    const port = await closedPort();
    const { code, err } = await run([
      ...['--url', `http://127.0.0.1:${port}/pusher/auth`, '--key', KEY, '--secret', SECRET],
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/Cannot reach .*ECONNREFUSED/);
  });
});

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
