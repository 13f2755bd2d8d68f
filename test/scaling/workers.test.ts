/**
 * `pushwire start --workers 2` on a real Redis: clients land on both workers, which act as one
 * server; `/metrics` counts every worker; a crashed worker is replaced and its members leave;
 * SIGTERM drains every worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import PusherServer from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedConnections, childrenOf } from '../helpers/process-sockets.ts';
import {
  createPusher,
  disconnectAllPushers,
  subscribeAndWait as subscribed,
} from '../helpers/pusher-client.ts';
import type { PresenceChannel } from '../helpers/pusher-js.ts';
import { redisGate, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('--workers over Redis');
const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

describe.skipIf(!enabled)('pushwire start --workers 2', () => {
  let primary: ChildProcess;
  let port = 0;
  const workers = () => childrenOf(primary.pid!);
  const api = () =>
    new PusherServer({
      appId: '1',
      key: 'app-key',
      secret: 'app-secret',
      host: '127.0.0.1',
      port: String(port),
    });

  /** Connects a client and answers which worker accepted it. */
  async function connectOnSomeWorker(userId: string) {
    const before = new Map(workers().map((pid) => [pid, acceptedConnections(pid, port)]));
    const client = createPusher(port, { presence: { user_id: userId } });
    await waitUntil(() => client.connection.state === 'connected', `${userId} to connect`);
    const pid = await waitUntil(
      () => [...before].find(([pid, n]) => acceptedConnections(pid, port) > n)?.[0],
      `the worker of ${userId}`,
    );
    return { client, pid };
  }

  /** Connects clients until one lands on a worker other than `pid`. */
  async function connectElsewhere(pid: number, userId: string) {
    for (let i = 0; i < 4; i++) {
      const other = await connectOnSomeWorker(`${userId}${i}`);
      if (other.pid !== pid) return other;
    }
    throw new Error('every client landed on one worker');
  }

  beforeAll(async () => {
    primary = spawn(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'start', '--port', '0', '--workers', '2'],
      {
        env: {
          ...process.env,
          PUSHWIRE_LOG_LEVEL: 'warn',
          PUSHWIRE_ADAPTER: 'redis',
          PUSHWIRE_REDIS_URL: REDIS_URL,
          PUSHWIRE_REDIS_PREFIX: uniquePrefix('workers'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    primary.stdout!.on('data', (chunk) => (output += chunk.toString()));
    primary.stderr!.on('data', (chunk) => (output += chunk.toString()));
    port = Number(
      await waitUntil(
        () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1],
        'the workers to start',
        20_000,
      ),
    );
    await waitUntil(() => workers().length === 2, 'two workers', 20_000);
  }, 30_000);

  afterAll(() => {
    disconnectAllPushers();
    if (primary.exitCode === null) primary.kill('SIGKILL');
  });

  it('serves clients on both workers as one server', async () => {
    const a = await connectOnSomeWorker('alice');
    const b = await connectElsewhere(a.pid, 'bob');
    const room = (await subscribed(a.client, 'presence-lobby')) as PresenceChannel;
    const joined: string[] = [];
    room.bind('pusher:member_added', (m: { id: string }) => joined.push(m.id));
    const bobsRoom = (await subscribed(b.client, 'presence-lobby')) as PresenceChannel;
    expect(bobsRoom.members.count).toBe(2);
    await waitUntil(() => joined.length === 1, "bob to appear on alice's worker");
    const received: string[] = [];
    for (const [name, c] of [
      ['A', a.client],
      ['B', b.client],
    ] as const) {
      (await subscribed(c, 'news')).bind('flash', () => received.push(name));
    }
    await api().trigger('news', 'flash', { n: 1 });
    await waitUntil(() => received.length === 2, 'a delivery on each worker');
    expect(received.sort()).toEqual(['A', 'B']);
  });

  it('answers /metrics for every worker at once', async () => {
    const open = workers().reduce((n, pid) => n + acceptedConnections(pid, port), 0);
    // Closed at once: a kept-alive scrape socket closing later would upset the next test's count.
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { connection: 'close' },
    });
    const body = await scrape.text();
    const gauge = /^pushwire_connections\{app_id="1"\} (\d+)$/m.exec(body)?.[1];
    // The scrape's own HTTP socket is open too, but it is not a WebSocket connection.
    expect(Number(gauge)).toBeGreaterThanOrEqual(open - 1);
    expect(Number(gauge)).toBeGreaterThanOrEqual(2);
  });

  it('replaces a crashed worker, and its members leave the others', async () => {
    const watcher = await connectOnSomeWorker('watcher');
    const victim = await connectElsewhere(watcher.pid, 'victim');
    const room = (await subscribed(watcher.client, 'presence-crash')) as PresenceChannel;
    await subscribed(victim.client, 'presence-crash');
    await waitUntil(() => room.members.count === 2, 'both members');
    const left: string[] = [];
    room.bind('pusher:member_removed', (m: { id: string }) => left.push(m.id));
    process.kill(victim.pid, 'SIGKILL');
    // pusher-js would reconnect elsewhere and rejoin; this client is gone for good.
    victim.client.disconnect();
    await waitUntil(
      () => workers().length === 2 && !workers().includes(victim.pid),
      'a new worker',
      20_000,
    );
    // The dead node's share is taken back once its heartbeat key expires (three 5 s beats).
    await waitUntil(() => left.length === 1, 'the crashed worker’s member to leave', 25_000);
    expect(room.members.count).toBe(1);
  }, 60_000);

  it('drains every worker on SIGTERM', async () => {
    const first = await connectOnSomeWorker('d1');
    const second = await connectElsewhere(first.pid, 'd2');
    const closes = new Map<string, number>();
    for (const [name, { client }] of [
      ['first', first],
      ['second', second],
    ] as const) {
      client.connection.bind('error', (e: { data?: { code?: number } }) => {
        if (e.data?.code) closes.set(name, e.data.code);
      });
    }
    const exited = new Promise<number | null>((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Object.fromEntries(closes)).toEqual({ first: 4200, second: 4200 });
  }, 20_000);
});
