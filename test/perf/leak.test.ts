/**
 * Connections leave nothing behind: after rounds of connecting 1,000 clients, subscribing them
 * over 100 channels, delivering to each and closing them all, the server's heap after a full GC
 * is back at its baseline and its RSS is within 10% of the pre-load figure. The server runs in a
 * child process so the test's own clients do not count.
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
    execArgv: ['--expose-gc', '--import', 'tsx'],
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
      let loaded: Sample | undefined;
      for (let i = 0; i < ROUNDS; i++) loaded = await round(`round${i}`);
      const after = await settled();
      const kb = (bytes: number) => Math.round(bytes / 1024);
      console.log(
        `leak: heap ${kb(before.heapUsed)} → loaded ${kb(loaded!.heapUsed)} → after ${kb(after.heapUsed)} KB; ` +
          `rss ${kb(before.rss)} → ${kb(loaded!.rss)} → ${kb(after.rss)} KB`,
      );
      // The load was real: 1,000 live connections hold well over a megabyte of heap.
      expect(loaded!.heapUsed - before.heapUsed).toBeGreaterThan(1024 * 1024);
      // 3,000 connections came and went: a leak of even 200 bytes each would show here.
      expect(after.heapUsed - before.heapUsed).toBeLessThan(600 * 1024);
      expect(after.rss).toBeLessThan(before.rss * 1.1);
    },
    TIMEOUT_MS,
  );
});
