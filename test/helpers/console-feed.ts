/** The live console's feed as a browser reads it: a signed GET, its entries as they arrive. */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { ProtocolServer } from './server.ts';
import { signedTarget } from './signed-request.ts';
import { waitUntil } from './wait.ts';

/** The channel of the probes `watchEveryWorker` publishes: kept out of the feed's `entries`. */
const PROBE_CHANNEL = 'console-probe';
const DEFAULT_APP = { id: '1', key: 'app-key', secret: 'app-secret' };

const open = new Set<AbortController>();

/** The feed URL of `app` on `httpUrl`, signed like any API request. */
export function consoleFeedUrl(httpUrl: string, app = DEFAULT_APP): string {
  const path = `/apps/${encodeURIComponent(app.id)}/console`;
  const query = `auth_key=${app.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0`;
  const signature = createHmac('sha256', app.secret).update(`GET\n${path}\n${query}`).digest('hex');
  return `${httpUrl}${path}?${query}&auth_signature=${signature}`;
}

/** Opens the feed and collects its entries as they arrive. */
export async function watchFeed(url: string) {
  const abort = new AbortController();
  open.add(abort);
  const response = await fetch(url, { signal: abort.signal });
  const entries: Array<Record<string, unknown>> = [];
  const probes: Array<Record<string, unknown>> = [];
  if (response.ok && response.body) {
    const decoder = new TextDecoder();
    let buffered = '';
    void (async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!block.startsWith('data: ')) continue;
          const entry = JSON.parse(block.slice(6)) as Record<string, unknown>;
          (entry.channel === PROBE_CHANNEL ? probes : entries).push(entry);
        }
      }
    })().catch(() => undefined);
  }
  return { response, entries, probes, names: () => entries.map((entry) => entry.name) };
}

/**
 * Opens `app`'s feed on `server`. Across workers it also waits until every worker relays its
 * entries to the feed (the README's bound: within about 2 s of opening): it publishes probe
 * events through each worker in turn, on connections it knows the worker of, until the feed
 * shows one from each. The probes stay out of `entries`.
 */
export async function watchEveryWorker(server: ProtocolServer, app = DEFAULT_APP) {
  const feed = await watchFeed(consoleFeedUrl(server.httpUrl, app));
  if (feed.response.status !== 200 || server.workers === 1) return feed;
  const relaying = new Set<number>();
  let probes = 0;
  await waitUntil(
    async () => {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      try {
        await once(socket, 'connect');
        const worker = await waitUntil(
          () => server.workerOf(socket.localPort!),
          'the worker of a probe connection',
        );
        // node:cluster hands the next connection to the next worker.
        if (relaying.has(worker)) return false;
        const event = `probe-${++probes}`;
        await publishOver(socket, app, event);
        const seen = await waitUntil(
          () => feed.probes.some((entry) => entry.event === event),
          'the probe in the feed',
          1_000,
        ).catch(() => false);
        if (seen) relaying.add(worker);
        return relaying.size === server.workers;
      } finally {
        socket.destroy();
      }
    },
    'every worker to relay its console entries to the feed',
    10_000,
  );
  return feed;
}

/** Publishes `event` on the probe channel with a signed HTTP API request sent over `socket`. */
async function publishOver(socket: Socket, app: typeof DEFAULT_APP, event: string): Promise<void> {
  const body = JSON.stringify({ name: event, channel: PROBE_CHANNEL, data: '{}' });
  const { target } = signedTarget({
    path: `/apps/${encodeURIComponent(app.id)}/events`,
    body,
    key: app.key,
    secret: app.secret,
  });
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString()));
  socket.write(
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  await once(socket, 'end');
  if (!answer.startsWith('HTTP/1.1 200')) throw new Error(`a probe event was answered ${answer}`);
}

/** Ends every feed still open (afterEach). */
export function stopAllFeeds(): void {
  for (const feed of open) feed.abort();
  open.clear();
}
