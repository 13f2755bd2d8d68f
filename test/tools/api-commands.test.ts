/** `pushwire trigger`, `channels` and `users` against a running server, with real pusher-js clients. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { RunningServer } from '../../src/server/server.ts';
import { apiCommand } from '../../src/tools/api/command.ts';
import {
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import { startTestServer, stopAllServers } from '../helpers/server.ts';

let server: RunningServer;
let target: string[];
beforeAll(async () => {
  server = await startTestServer();
  target = ['--url', `pushwire://app-key:app-secret@127.0.0.1:${server.port}/apps/1`];
});
afterEach(() => disconnectAllPushers());
afterAll(() => stopAllServers());

async function run(name: 'trigger' | 'channels' | 'users', args: string[]) {
  let out = '';
  let err = '';
  const code = await apiCommand(name, args, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  return { code, out, err };
}

describe('pushwire trigger', () => {
  it('publishes to a subscribed client and prints the status and the answer', async () => {
    const client = await connectPusher(server.port);
    const channel = await subscribeAndWait(client, 'orders');
    const received = nextEvent(channel, 'created');
    const { code, out } = await run('trigger', [
      ...['--channel', 'orders', '--event', 'created', '--data', '{"id":7}'],
      ...target,
    ]);
    expect(code).toBe(0);
    expect(out).toBe('HTTP 200\n{}\n');
    expect((await received).data).toEqual({ id: 7 });
  });

  it('takes the target as --app/--key/--secret/--host/--port too', async () => {
    const { code } = await run('trigger', [
      ...['--channel', 'a', '--channel', 'b', '--event', 'e'],
      ...['--app', '1', '--key', 'app-key', '--secret', 'app-secret'],
      ...['--host', '127.0.0.1', '--port', String(server.port)],
    ]);
    expect(code).toBe(0);
  });

  it('exits 1 with the status and the error when the server refuses', async () => {
    const { code, err } = await run('trigger', [
      ...['--channel', 'orders', '--event', 'created'],
      ...['--url', `pushwire://app-key:wrong@127.0.0.1:${server.port}/apps/1`],
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/^HTTP 401\n/);
    expect(err).not.toMatch(/[0-9a-f]{64}/);
  });

  it('exits 2 when --data is not JSON, or --event is missing', async () => {
    const bad = await run('trigger', ['--channel', 'c', '--event', 'e', '--data', '{x', ...target]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--data must be JSON');
    expect((await run('trigger', ['--channel', 'c', ...target])).code).toBe(2);
  });

  it('exits 2 on an invalid channel name, before any request', async () => {
    const { code, err } = await run('trigger', ['--channel', 'a b', '--event', 'e', ...target]);
    expect(code).toBe(2);
    expect(err).toContain('Invalid channel name');
  });

  it('exits 2 when the server cannot be reached', async () => {
    const { code, err } = await run('trigger', [
      ...['--channel', 'c', '--event', 'e'],
      ...['--url', 'pushwire://app-key:app-secret@127.0.0.1:1/apps/1'],
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/Cannot reach the server/);
  });

  it('exits 2 on a --url without credentials', async () => {
    const { code } = await run('trigger', [
      ...['--channel', 'c', '--event', 'e', '--url', 'pushwire://127.0.0.1:1/apps/1'],
    ]);
    expect(code).toBe(2);
  });

  it('prints its usage with --help, and exits 0', async () => {
    const { runTool } = await import('../../src/tools/index.ts');
    let out = '';
    const code = await runTool('trigger', ['--help'], {
      out: (t) => void (out += t),
      err: () => {},
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: pushwire trigger --channel C/);
  });

  it('is reached through the CLI entry', async () => {
    const code = await main(['trigger', '--channel', 'c', '--event', 'e', ...target]);
    expect(code).toBe(0);
  });
});

describe('pushwire channels and users', () => {
  it('lists occupied channels, with a prefix filter and info', async () => {
    const client = await connectPusher(server.port, { presence: { user_id: 'ada' } });
    await subscribeAndWait(client, 'presence-room');
    await subscribeAndWait(client, 'news');
    const all = await run('channels', target);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^HTTP 200\n/);
    expect(Object.keys(JSON.parse(all.out.slice('HTTP 200\n'.length)).channels).sort()).toEqual([
      'news',
      'presence-room',
    ]);
    const presence = await run('channels', [
      '--prefix',
      'presence-',
      '--info',
      'user_count',
      ...target,
    ]);
    expect(JSON.parse(presence.out.slice('HTTP 200\n'.length))).toEqual({
      channels: { 'presence-room': { user_count: 1 } },
    });
  });

  it('lists the users of a presence channel', async () => {
    const client = await connectPusher(server.port, { presence: { user_id: 'grace' } });
    await subscribeAndWait(client, 'presence-lab');
    const { code, out } = await run('users', ['presence-lab', ...target]);
    expect(code).toBe(0);
    expect(JSON.parse(out.slice('HTTP 200\n'.length))).toEqual({ users: [{ id: 'grace' }] });
  });

  it('exits 1 when the channel is not a presence channel, 2 when it is missing', async () => {
    expect((await run('users', ['news', ...target])).code).toBe(1);
    expect((await run('users', target)).code).toBe(2);
  });
});
