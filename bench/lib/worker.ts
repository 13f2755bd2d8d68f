/**
 * A load-generator worker process: holds a slice of the WebSocket clients and runs what the
 * coordinator asks over IPC. Clients speak Pusher protocol 7 with raw `ws` sockets; channel
 * events carrying a publish stamp are counted without JSON parsing, on the hot path.
 */
import { WebSocket } from 'ws';
import { Histogram } from './histogram.ts';
import { HttpStreamingSocket } from './http-streaming-socket.ts';
import { preciseNow } from './publisher.ts';
import { presenceAuth, privateAuth } from './signing.ts';
import type { Command, Report } from './worker-protocol.ts';

const STAMP = Buffer.from('@@');
const AT = 0x40;

let sockets: WebSocket[] = [];
let socketIds: string[] = [];
let firstIndex = 0;
let subscribeFrames: string[] = [];
let channels: string[] = [];
const counters = newCounters();
let histogram = new Histogram();
let pingPong: { deadline: number; roundTrips: number; done?: () => void } | undefined;

function newCounters() {
  return {
    subscribed: 0,
    subscribeErrors: 0,
    errors: 0,
    firstError: undefined as string | undefined,
    memberAdded: 0,
    events: 0,
    firstSentAt: 0,
    lastSubscribedAt: 0,
    lastMemberAddedAt: 0,
    lastEventAt: 0,
    closedByServer: 0,
    closeCodes: {} as Record<string, number>,
  };
}

function onMessage(index: number, data: Buffer): void {
  const stamp = data.indexOf(STAMP);
  if (stamp !== -1) {
    const end = data.indexOf(AT, stamp + 2);
    const now = preciseNow();
    counters.events++;
    counters.lastEventAt = now;
    histogram.record(now - Number(data.toString('latin1', stamp + 2, end)));
    return;
  }
  onControl(
    index,
    JSON.parse(data.toString()) as { event: string; channel?: string; data?: unknown },
  );
}

function onControl(index: number, frame: { event: string; channel?: string; data?: unknown }) {
  switch (frame.event) {
    case 'pusher_internal:subscription_succeeded':
      counters.subscribed++;
      counters.lastSubscribedAt = preciseNow();
      // Time since the burst of subscribes began: how the burst drains.
      histogram.record(counters.lastSubscribedAt - counters.firstSentAt);
      return;
    case 'pusher_internal:member_added':
      counters.memberAdded++;
      counters.lastMemberAddedAt = preciseNow();
      return;
    case 'pusher:ping':
      sockets[index]?.send('{"event":"pusher:pong","data":{}}');
      return;
    case 'pusher:error':
      counters.errors++;
      counters.firstError ??= JSON.stringify(frame.data);
      return;
    case 'client-ping':
      // pusher-js's member order (Connection.send_event): event, data, channel.
      sockets[index]?.send(`{"event":"client-pong","data":{},"channel":"${frame.channel}"}`);
      return;
    case 'client-pong':
      if (!pingPong) return;
      pingPong.roundTrips++;
      if (preciseNow() < pingPong.deadline) sendPing(index);
      else finishPair();
      return;
  }
}

let pairsRunning = 0;
function finishPair(): void {
  if (--pairsRunning === 0) pingPong?.done?.();
}

function sendPing(index: number): void {
  sockets[index]?.send(`{"event":"client-ping","data":{},"channel":"${channels[index]}"}`);
}

/** Opens `count` connections with at most `concurrency` handshakes in flight. */
async function connect(url: string, count: number, concurrency: number) {
  const started = preciseNow();
  let next = 0;
  let failed = 0;
  const one = (index: number) =>
    new Promise<void>((resolve) => {
      // An http:// URL is the HTTP fallback's base: the same client over xhr_streaming.
      const ws = url.startsWith('http')
        ? (new HttpStreamingSocket(url) as unknown as WebSocket)
        : new WebSocket(url, { perMessageDeflate: false });
      sockets[index] = ws;
      const timer = setTimeout(() => fail('timeout'), 30_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        failed++;
        counters.firstError ??= `connect: ${why}`;
        ws.terminate();
        resolve();
      };
      ws.once('error', (error) => fail(error.message));
      ws.once('message', (data: Buffer) => {
        clearTimeout(timer);
        const frame = JSON.parse(data.toString()) as { event: string; data: string };
        if (frame.event !== 'pusher:connection_established') return fail(data.toString());
        socketIds[index] = (JSON.parse(frame.data) as { socket_id: string }).socket_id;
        ws.on('message', (message: Buffer) => onMessage(index, message));
        ws.on('error', () => {});
        ws.once('close', (code) => {
          counters.closedByServer++;
          counters.closeCodes[code] = (counters.closeCodes[code] ?? 0) + 1;
        });
        resolve();
      });
    });
  const lane = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { connected: count - failed, failed, ms: preciseNow() - started };
}

/** Builds every subscribe frame up front so signing is not part of the measured time. */
function prepare(kind: string, prefix: string, groupSize: number, key: string, secret: string) {
  channels = [];
  subscribeFrames = [];
  for (let i = 0; i < sockets.length; i++) {
    const global = firstIndex + i;
    const channel = `${prefix}${Math.floor(global / groupSize)}`;
    channels[i] = channel;
    const socketId = socketIds[i] ?? '';
    let data: Record<string, string> = { channel };
    if (kind === 'private') data = { channel, auth: privateAuth(key, secret, socketId, channel) };
    if (kind === 'presence') {
      const channelData = JSON.stringify({ user_id: `u${global}`, user_info: { n: global } });
      data = {
        channel,
        auth: presenceAuth(key, secret, socketId, channel, channelData),
        channel_data: channelData,
      };
    }
    subscribeFrames[i] = JSON.stringify({ event: 'pusher:subscribe', data });
  }
}

function subscribeAll(): void {
  counters.firstSentAt = preciseNow();
  for (let i = 0; i < sockets.length; i++) {
    const ws = sockets[i];
    if (ws?.readyState === WebSocket.OPEN) ws.send(subscribeFrames[i]!);
  }
}

/** Clients 2k and 2k+1 share a private channel; the even one serves. */
function runPingPong(durationMs: number): Promise<{ roundTrips: number; ms: number }> {
  const started = preciseNow();
  return new Promise((resolve) => {
    pingPong = {
      deadline: started + durationMs,
      roundTrips: 0,
      done: () => resolve({ roundTrips: pingPong?.roundTrips ?? 0, ms: preciseNow() - started }),
    };
    pairsRunning = 0;
    for (let i = 0; i + 1 < sockets.length; i += 2) {
      pairsRunning++;
      sendPing(i);
    }
    // A pair that lost a message must not hold the run for ever.
    setTimeout(() => pingPong?.done?.(), durationMs + 5_000).unref();
  });
}

async function closeAll(): Promise<{ ms: number }> {
  const started = preciseNow();
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
          setTimeout(() => ws.terminate(), 5_000).unref();
        }),
    ),
  );
  sockets = [];
  socketIds = [];
  return { ms: preciseNow() - started };
}

function report(withHistogram: boolean): Report {
  return {
    ...counters,
    open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
    cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
    ...(withHistogram ? { histogram: histogram.toSparse() } : {}),
  };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      firstIndex = command.firstIndex;
      return connect(command.url, command.count, command.concurrency);
    case 'prepare':
      prepare(command.kind, command.prefix, command.groupSize, command.key, command.secret);
      return {};
    case 'subscribe':
      subscribeAll();
      return {};
    case 'reset':
      Object.assign(counters, newCounters());
      histogram = new Histogram();
      return {};
    case 'report':
      return report(command.histogram);
    case 'pingpong':
      return runPingPong(command.durationMs);
    case 'stop-reading':
      // A consumer that stops reading: its socket's receive buffer fills and the server's backs up.
      for (const ws of sockets) ws.pause();
      return {};
    case 'close':
      return closeAll();
  }
}

process.on('message', (message: { id: number; command: Command }) => {
  handle(message.command).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
