/**
 * Minimal protocol clients for the perf tests: open, subscribe, count frames. Self-contained so
 * these CI checks depend on nothing but the server.
 */
import { WebSocket } from 'ws';

export interface PerfClient {
  readonly ws: WebSocket;
  readonly socketId: string;
  /** Channel events received (anything that is not a pusher: / pusher_internal: frame). */
  events: number;
  readonly closed: Promise<number>;
}

/** Connects and waits for `pusher:connection_established`. */
export function connect(baseUrl: string, key = 'app-key'): Promise<PerfClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl}/app/${key}?protocol=7`, { perMessageDeflate: false });
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    const timer = setTimeout(() => reject(new Error('connect timeout')), 10_000);
    ws.once('error', reject);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      const frame = JSON.parse(data.toString()) as { event: string; data: string };
      if (frame.event !== 'pusher:connection_established') {
        return reject(new Error(data.toString()));
      }
      const client: PerfClient = {
        ws,
        socketId: (JSON.parse(frame.data) as { socket_id: string }).socket_id,
        events: 0,
        closed,
      };
      ws.on('error', () => undefined);
      ws.on('message', (message: Buffer) => {
        // Channel events start `{"event":"` followed by a name without the `pusher` prefix.
        if (message[10] !== 0x70) client.events++;
      });
      resolve(client);
    });
  });
}

/** Subscribes to a public channel and waits for the confirmation. */
export function subscribe(client: PerfClient, channel: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscribe ${channel} timeout`)), 10_000);
    const onMessage = (data: Buffer) => {
      const text = data.toString();
      if (!text.includes('subscription_succeeded')) return;
      clearTimeout(timer);
      client.ws.off('message', onMessage);
      resolve();
    };
    client.ws.on('message', onMessage);
    client.ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel } }));
  });
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
