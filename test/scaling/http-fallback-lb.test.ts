/**
 * Two Pushwire nodes over one Redis, behind a plain round-robin HTTP proxy written here: an HTTP
 * fallback session lives on one node, and each node's `publicHostname` (sent in the session's
 * `o` frame) brings the session's later requests straight to it, so no request of a session
 * lands on the other node. The nodes listen on 127.0.0.2 and 127.0.0.3 at the proxy's port,
 * because pusher-js's hint replaces the host only and keeps the port.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.ts';
import {
  createPusher,
  disconnectAllPushers,
  subscribeAndWait,
  waitForState,
  type PusherChannel,
  type PusherClient,
} from '../helpers/pusher-client.ts';
import { transportOptions, type PresenceChannel } from '../helpers/pusher-js.ts';
import { redisGate, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { startTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

const enabled = await redisGate('HTTP fallback behind a load balancer');
const NODE_HOSTS = ['127.0.0.2', '127.0.0.3'];

/** Each request to the next node in turn; records the session path of each. */
function roundRobinProxy(port: number, targets: string[], seen: string[]): Promise<Server> {
  let next = 0;
  const proxy = createServer((req, res) => {
    const host = targets[next++ % targets.length]!;
    seen.push(req.url ?? '');
    const upstream = request(
      { host, port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(port, '127.0.0.1', () => resolve(proxy));
  });
}

/** A port free on 127.0.0.1 (for the proxy), then the nodes on the same port elsewhere. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let proxy: Server;
let nodes: RunningServer[] = [];
let port = 0;
const proxied: string[] = [];

beforeAll(async () => {
  if (!enabled) return;
  port = await freePort();
  const redisPrefix = uniquePrefix('http-fallback-lb');
  nodes = await Promise.all(
    NODE_HOSTS.map((host) =>
      startTestServer({
        host,
        port,
        publicHostname: host,
        adapter: 'redis',
        redisUrl: REDIS_URL,
        redisPrefix,
      }),
    ),
  );
  proxy = await roundRobinProxy(port, NODE_HOSTS, proxied);
}, 30_000);

afterAll(async () => {
  disconnectAllPushers();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await Promise.all(nodes.map((node) => node.stop()));
});

/** The `{server}/{session}` of a fallback request path. */
const sessionOf = (path: string) => /\/pusher\/app\/[^/]+\/(\d+\/[^/]+)\//.exec(path)?.[1];

async function connectThroughProxy(
  transport: 'xhr_streaming' | 'xhr_polling',
  userId: string,
): Promise<PusherClient> {
  const pusher = createPusher(port, {
    presence: { user_id: userId },
    extra: { ...transportOptions(port, transport), httpHost: '127.0.0.1' },
  });
  await waitForState(pusher, 'connected');
  return pusher;
}

describe.skipIf(!enabled)('HTTP fallback behind a round-robin proxy', () => {
  // A failed case must not leave its clients to the next one.
  afterEach(() => disconnectAllPushers());

  it.each(['xhr_streaming', 'xhr_polling'] as const)(
    'keeps each %s session on its node, with presence and events across both',
    async (transport) => {
      proxied.length = 0;
      const users = ['ann', 'ben', 'cat', 'dan'].map((name) => `${transport}-${name}`);
      const clients = await Promise.all(users.map((user) => connectThroughProxy(transport, user)));
      // One after another: this test is about where requests go, not about concurrent joins.
      const rooms: PusherChannel[] = [];
      for (const client of clients)
        rooms.push(await subscribeAndWait(client, `presence-${transport}`));
      // Sessions landed on both nodes, and every member sees the other three.
      expect(nodes.map((node) => node.connections())).toEqual([2, 2]);
      await waitUntil(
        () => rooms.every((room) => (room as PresenceChannel).members.count === 4),
        'four members everywhere',
      );
      const received: number[] = [];
      for (const room of rooms) room.bind('news', (data: { n: number }) => received.push(data.n));
      await sdkFor({ port: nodes[0]!.port }).trigger(`presence-${transport}`, 'news', { n: 1 });
      await waitUntil(() => received.length === 4, 'the event on all four clients');
      // Through the proxy went only each session's first request; the rest went to its node.
      const perSession = new Map<string, number>();
      for (const path of proxied) {
        const session = sessionOf(path);
        if (session) perSession.set(session, (perSession.get(session) ?? 0) + 1);
      }
      expect([...perSession.values()]).toEqual([1, 1, 1, 1]);
      for (const client of clients) client.disconnect();
      await waitUntil(() => nodes.every((node) => node.connections() === 0), 'sessions closed');
    },
    20_000,
  );
});
