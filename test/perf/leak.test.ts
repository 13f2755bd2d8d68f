/**
 * Connections leave nothing behind: after rounds of connecting 1,000 clients, subscribing them
 * over 100 channels, delivering to each and closing them all, the server's heap after a full GC
 * is back at its baseline, and its RSS stops growing from one load to the next. The server runs
 * in a child process so the test's own clients do not count.
 *
 * RSS is compared with the high-water mark of the first load, not with the level before it: the
 * memory a load used is given back to the kernel on some runs and not on others. With V8's default
 * young generation (it grows to ~24 MB under this load) settled RSS wandered 104–134 MB from round
 * to round with no trend; the server runs with `--max-semi-space-size=2` so that RSS measures what
 * the connections leave, not how much young space V8 happened to keep. Buffers, the native memory
 * a leak of frames would hold, are checked exactly through V8's `arrayBuffers` count.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, subscribe, until, type PerfClient } from './perf-client.ts';

const SERVER = fileURLToPath(new URL('./leak-server.ts', import.meta.url));
const CONNECTIONS = 1000;
const ROUNDS = 3;
/** Generous for a loaded CI machine; the test takes about 12 s here. */
const TIMEOUT_MS = 60_000;

interface Sample {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  connections: number;
  /** V8's young generation is still larger than when the server started. */
  youngGrown: boolean;
}

let child: ChildProcess;
let url = '';
let nextId = 0;
const pending = new Map<number, (result: unknown) => void>();

function call<T>(message: Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve as (result: unknown) => void);
    child.send({ id, ...message });
  });
}

beforeAll(async () => {
  child = fork(SERVER, [], {
    execArgv: ['--expose-gc', '--max-semi-space-size=2', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve) => pending.set(-1, () => resolve()));
  child.on('message', (message: { id: number; result: { url?: string } }) => {
    if (message.result.url) url = message.result.url;
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  await ready;
});

afterAll(() => {
  child.disconnect();
});

/** One round: connect, subscribe 10 per channel, receive a few events, close everything. */
async function round(tag: string): Promise<Sample> {
  const clients: PerfClient[] = [];
  for (let batch = 0; batch < CONNECTIONS; batch += 100) {
    clients.push(...(await Promise.all(Array.from({ length: 100 }, () => connect(url)))));
  }
  await Promise.all(clients.map((client, i) => subscribe(client, `${tag}-${i % 100}`)));
  for (let channel = 0; channel < 100; channel++) {
    await call({ op: 'publish', channel: `${tag}-${channel}` });
  }
  expect(await until(() => clients.every((client) => client.events === 1), 10_000)).toBe(true);
  const loaded = await call<Sample>({ op: 'measure' });
  for (const client of clients) client.ws.close();
  await Promise.all(clients.map((client) => client.closed));
  expect(
    await until(async () => (await call<Sample>({ op: 'measure' })).connections === 0, 10_000),
  ).toBe(true);
  return loaded;
}

/**
 * A sample once the server has given back the young generation that the load grew: at once on
 * Node 22+ (the memory-reducing collection in `measure`), within a few quiet seconds on Node 20
 * (the server's idle collector). Until then V8 keeps those pages, and RSS counts them.
 */
async function settled(): Promise<Sample> {
  let sample = await call<Sample>({ op: 'measure' });
  for (const deadline = Date.now() + 15_000; sample.youngGrown && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    sample = await call<Sample>({ op: 'measure' });
  }
  expect(sample.youngGrown, 'the young generation shrank back').toBe(false);
  return sample;
}

describe('connection lifecycle', () => {
  it(
    'returns heap and RSS to the pre-load level after all connections close',
    async () => {
      // Warm-up: first use compiles code and sizes pools; that is not a leak.
      await round('warm');
      const before = await settled();
      let loaded = await round('first');
      const highWater = Math.max(before.rss, loaded.rss, (await settled()).rss);
      for (let i = 0; i < ROUNDS; i++) loaded = await round(`round${i}`);
      const after = await settled();
      const kb = (bytes: number) => Math.round(bytes / 1024);
      console.log(
        `leak: heap ${kb(before.heapUsed)} → loaded ${kb(loaded.heapUsed)} → after ${kb(after.heapUsed)} KB; ` +
          `rss ${kb(before.rss)} → first load's high water ${kb(highWater)} → after ${ROUNDS} more ${kb(after.rss)} KB; ` +
          `arrayBuffers ${kb(before.arrayBuffers)} → ${kb(after.arrayBuffers)} KB`,
      );
      // The load was real: 1,000 live connections hold well over a megabyte of heap.
      expect(loaded.heapUsed - before.heapUsed).toBeGreaterThan(1024 * 1024);
      // 3,000 connections came and went: a leak of even 200 bytes each would show here.
      expect(after.heapUsed - before.heapUsed).toBeLessThan(600 * 1024);
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(256 * 1024);
      // …and RSS did not climb past what the first load had taken (a native leak of 4 KB per
      // connection, 12 MB, would).
      expect(after.rss).toBeLessThan(highWater * 1.1);
    },
    TIMEOUT_MS,
  );
});
