/**
 * `rediss://` with a password: two nodes reach a Redis that only speaks TLS and wants a password
 * (a redis-server of the suite's own on 7662, its certificate self-signed and trusted through
 * NODE_EXTRA_CA_CERTS, as an operator with a private CA would), and act as one server over it.
 * The same on a Redis Cluster whose three masters (7663-7665) speak only TLS, bus included.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../helpers/certificates.ts';
import { startNodeProcess, type NodeProcess } from '../helpers/node-process.ts';
import {
  connectPusher,
  disconnectAllPushers,
  nextEvent,
  subscribeAndWait,
} from '../helpers/pusher-client.ts';
import { uniquePrefix } from '../helpers/redis.ts';
import { sdkFor } from '../helpers/sdk.ts';
import { RedisCluster } from '../helpers/redis-cluster.ts';

const TLS_PORT = 7662;
const PASSWORD = 'tls-s3cret';

const installed = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!installed && !process.env.CI) {
  console.warn('[skip] Redis over TLS: redis-server is not installed and CI is unset.');
}

const certificate = selfSignedCertificate('127.0.0.1');
let redis: ChildProcess | undefined;
const nodes: NodeProcess[] = [];

/** Resolves once the TLS port answers PING with the password. */
function pinged(): boolean {
  const args = ['--tls', '--cacert', certificate.certFile, '-p', String(TLS_PORT)];
  const reply = spawnSync('redis-cli', [...args, '--no-auth-warning', '-a', PASSWORD, 'ping'], {
    encoding: 'utf8',
  });
  return reply.stdout.trim() === 'PONG';
}

describe.skipIf(!installed && !process.env.CI)('nodes over a Redis that speaks only TLS', () => {
  beforeAll(async () => {
    const tls = ['--tls-port', String(TLS_PORT), '--tls-auth-clients', 'no'];
    tls.push('--tls-cert-file', certificate.certFile, '--tls-key-file', certificate.keyFile);
    tls.push('--tls-ca-cert-file', certificate.certFile);
    redis = spawn(
      'redis-server',
      ['--port', '0', '--bind', '127.0.0.1', ...tls, '--requirepass', PASSWORD].concat([
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        mkdtempSync(`${tmpdir()}/rtls-`),
      ]),
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!pinged()) {
      if (Date.now() > deadline) throw new Error('redis-server with TLS did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const env = {
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_ADAPTER: 'redis',
      PUSHWIRE_REDIS_URL: `rediss://:${PASSWORD}@127.0.0.1:${TLS_PORT}`,
      PUSHWIRE_REDIS_PREFIX: uniquePrefix('tls'),
      NODE_EXTRA_CA_CERTS: certificate.certFile,
    };
    nodes.push(...(await Promise.all([startNodeProcess(env), startNodeProcess(env)])));
  }, 30_000);

  afterAll(async () => {
    disconnectAllPushers();
    await Promise.all(nodes.map((node) => node.stop()));
    redis?.kill('SIGKILL');
  });

  crossNode(nodes);
});

/** What two nodes over TLS must do: one server, and no password in their output. */
function crossNode(nodes: NodeProcess[]): void {
  it('carries an event published through one node to a subscriber of the other', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    for (const node of nodes) {
      const ready = await fetch(`http://127.0.0.1:${node.port}/ready`);
      expect(ready.status).toBe(200);
    }
    const channel = await subscribeAndWait(await connectPusher(b.port), 'over-tls');
    const received = nextEvent<{ n: number }>(channel, 'flash');
    const api = sdkFor({ port: a.port });
    const response = await api.trigger('over-tls', 'flash', { n: 1 });
    expect(response.status).toBe(200);
    expect((await received).data).toEqual({ n: 1 });
  });

  it('never logs the password', () => {
    for (const node of nodes) expect(node.output()).not.toContain(PASSWORD);
  });
}

describe.skipIf(!installed && !process.env.CI)(
  'nodes over a Redis Cluster that speaks only TLS',
  () => {
    const nodes: NodeProcess[] = [];
    let cluster: RedisCluster | undefined;

    beforeAll(async () => {
      cluster = await RedisCluster.start([7663, 7664, 7665], {
        password: PASSWORD,
        tls: certificate,
      });
      const env = {
        PUSHWIRE_LOG_LEVEL: 'warn',
        PUSHWIRE_ADAPTER: 'redis',
        PUSHWIRE_REDIS_CLUSTER: JSON.stringify(cluster.seeds),
        PUSHWIRE_REDIS_PREFIX: uniquePrefix('tls-cluster'),
        NODE_EXTRA_CA_CERTS: certificate.certFile,
      };
      nodes.push(...(await Promise.all([startNodeProcess(env), startNodeProcess(env)])));
    }, 60_000);

    afterAll(async () => {
      disconnectAllPushers();
      await Promise.all(nodes.map((node) => node.stop()));
      await cluster?.stop();
    });

    it('is given rediss:// seeds', () => {
      expect(cluster!.seeds.every((seed) => seed.startsWith('rediss://'))).toBe(true);
    });

    crossNode(nodes);
  },
);
