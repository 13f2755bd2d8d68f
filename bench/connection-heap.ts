/**
 * Who owns the bytes of an idle connection: starts a server in a child process, opens N
 * WebSocket connections to it from the load generator's workers (bench/lib/pool.ts; each waits
 * for connection_established), and diffs two V8 heap
 * snapshots of the server (one after a warm-up, one with the N connections open) by class. Each
 * class is put down to its owner: Pushwire's own code, `ws`, or Node (its `net.Socket`, streams
 * and the C++ objects behind them). An object's property and element stores are counted with it.
 * Only the heap (and the C++ objects V8 is told of) is counted: RSS per connection, garbage
 * promoted during a storm included, is the connect scenario's to measure.
 *
 * Snapshots are read whole: past ~20,000 connections one outgrows V8's largest string.
 *
 *   node --import tsx bench/connection-heap.ts [--connections 5000] [--server pushwire|ceiling]
 *        [--build DIR] [--top 25]
 *
 * `--build DIR`: another build of Pushwire (a folder with bin/pushwire.js and dist/).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intOption, parseTarget } from './lib/args.ts';
import { ClientPool } from './lib/pool.ts';
import { BENCH_APP, startServer } from './lib/server-process.ts';

const { target, options } = parseTarget(process.argv.slice(2));
const connections = intOption(options, 'connections', 5000);
const top = intOption(options, 'top', 25);
const kind = options.server ?? 'pushwire';
const root = fileURLToPath(new URL('..', import.meta.url));
const build = options.build ?? root;
const port = 24_000 + Math.floor(Math.random() * 900);
const dir = mkdtempSync(join(tmpdir(), 'pushwire-heap-'));

const flags = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
const server = await startServer(
  port,
  kind === 'ceiling'
    ? [...flags, '--import', 'tsx', join(root, 'bench/ceiling/server.ts'), '--port', `${port}`]
    : [...flags, join(build, 'bin/pushwire.js'), 'start', '--port', `${port}`],
);
// The clients live in the load generator's worker processes, out of this heap and the server's.
const pool = new ClientPool({ ...target, port, key: BENCH_APP.key, pid: server.pid });
// Interrupted: the child and its snapshots (hundreds of MB) go too.
process.once('SIGINT', () => {
  process.kill(server.pid, 'SIGKILL');
  pool.destroy();
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function serverAlive(): boolean {
  try {
    process.kill(server.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Asks the server for a heap snapshot and reads it once written (60 s at most). */
async function snapshot(): Promise<Snapshot> {
  const before = new Set(readdirSync(dir));
  process.kill(server.pid, 'SIGUSR2');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(500);
    if (!serverAlive()) throw new Error('the server exited while writing its heap snapshot');
    const file = readdirSync(dir).find((name) => !before.has(name));
    if (!file) continue;
    const path = join(dir, file);
    const size = statSync(path).size;
    await sleep(500);
    if (size === 0 || statSync(path).size !== size) continue;
    // Stopped growing; a pause between two chunks can look the same, so it must also parse.
    try {
      const heap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
      rmSync(path);
      return heap;
    } catch {
      continue;
    }
  }
  throw new Error('no heap snapshot within 60 s');
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const GENERIC = /^(Object|Array|\(.*\)|system \/ .*)$/;

/**
 * Bytes and object count per class. What has no class of its own (a plain object, an array, a
 * closure, a context) is put down to the nearest retainer that has one, up to three steps up,
 * as `Object < Socket`; an object's property and element stores count as the object's.
 */
function byClass(heap: Snapshot): Map<string, { bytes: number; count: number }> {
  const meta = heap.snapshot.meta as Snapshot['snapshot']['meta'] & { edge_types: [string[]] };
  const width = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const [typeAt, nameAt, sizeAt, edgesAt] = ['type', 'name', 'self_size', 'edge_count'].map(
    (field) => meta.node_fields.indexOf(field),
  ) as [number, number, number, number];
  const edgeName = meta.edge_fields.indexOf('name_or_index');
  const edgeTo = meta.edge_fields.indexOf('to_node');
  const edgeType = meta.edge_fields.indexOf('type');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const className = (node: number) => {
    const type = nodeTypes[heap.nodes[node + typeAt]!]!;
    const name = heap.strings[heap.nodes[node + nameAt]!]!;
    return type === 'object' || type === 'native' || type === 'synthetic' ? name : `(${type})`;
  };
  // The first retainer of each node by a strong edge, in the snapshot's order (not always its
  // owner: good enough to name what holds plain objects and closures), and which nodes are
  // property or element stores (`properties`, `elements`).
  const retainer = new Map<number, number>();
  const store = new Set<number>();
  for (let node = 0, edge = 0; node < heap.nodes.length; node += width) {
    const count = heap.nodes[node + edgesAt]!;
    for (let i = 0; i < count; i++, edge += edgeWidth) {
      const type = edgeTypes[heap.edges[edge + edgeType]!];
      if (type === 'weak' || type === 'shortcut') continue;
      const to = heap.edges[edge + edgeTo]!;
      if (!retainer.has(to)) retainer.set(to, node);
      if (type !== 'internal') continue;
      const name = heap.strings[heap.edges[edge + edgeName]!];
      if (name === 'properties' || name === 'elements') store.add(to);
    }
  }
  const classes = new Map<string, { bytes: number; count: number }>();
  /** A node's row: its class, or for what has none, `Object < Socket` (nearest named retainer). */
  const label = (node: number): string => {
    const name = className(node);
    if (!GENERIC.test(name)) return name;
    let owner = node;
    for (let hop = 0; hop < 3; hop++) {
      const up = retainer.get(owner);
      if (up === undefined) break;
      owner = up;
      const ownerName = className(owner);
      if (!GENERIC.test(ownerName)) return `${name} < ${ownerName}`;
    }
    return name;
  };
  for (let node = 0; node < heap.nodes.length; node += width) {
    const isStore = store.has(node);
    // A property or element store is part of its object: it takes the object's row.
    const name = label(isStore ? (retainer.get(node) ?? node) : node);
    const entry = classes.get(name) ?? { bytes: 0, count: 0 };
    entry.bytes += heap.nodes[node + sizeAt]!;
    if (!isStore) entry.count++;
    classes.set(name, entry);
  }
  return classes;
}

const OWNERS: [RegExp, string][] = [
  [/^(Session|WsTransport)$/, 'Pushwire'],
  // SessionSocket is ws's WebSocket with one field of Pushwire's (the Session).
  [/^(Receiver|Sender|WebSocket|SessionSocket|PerMessageDeflate)$/, 'ws'],
  [/^(Socket|ReadableState|WritableState|TCP|BufferList|Node \/ .*|TCPWRAP|.*Wrap.*)$/, 'Node'],
];
const ownerOf = (name: string) => {
  const owner = name.split(' < ').at(-1)!;
  return OWNERS.find(([pattern]) => pattern.test(owner))?.[1] ?? 'other';
};

try {
  // Warm-up: code paths compiled and lazily built state in place before the baseline.
  await pool.connect(200);
  await pool.close();
  await sleep(1000);
  const baseline = byClass(await snapshot());
  const opened = await pool.connect(connections);
  if (opened.failed > 0) throw new Error(`${opened.failed} connections failed`);
  await sleep(1000);
  const loaded = byClass(await snapshot());

  const none = { bytes: 0, count: 0 };
  const all = [...new Set([...baseline.keys(), ...loaded.keys()])].map((name) => {
    const [base, now] = [baseline.get(name) ?? none, loaded.get(name) ?? none];
    return {
      name,
      owner: ownerOf(name),
      bytesPerConnection: (now.bytes - base.bytes) / connections,
      objectsPerConnection: (now.count - base.count) / connections,
    };
  });
  // Totals over every row, the small ones included; only the listing leaves those out.
  const heapPerConnection = all.reduce((sum, row) => sum + row.bytesPerConnection, 0);
  const owners: Record<string, number> = {};
  for (const row of all) owners[row.owner] = (owners[row.owner] ?? 0) + row.bytesPerConnection;
  const rows = all
    .filter((row) => Math.abs(row.bytesPerConnection) >= 1)
    .sort((a, b) => b.bytesPerConnection - a.bytesPerConnection);
  for (const row of rows.slice(0, top)) {
    process.stdout.write(
      `${row.bytesPerConnection.toFixed(0).padStart(6)} B  ${row.objectsPerConnection
        .toFixed(2)
        .padStart(5)}×  ${row.owner.padEnd(8)} ${row.name}\n`,
    );
  }
  const round = (bytes: number) => Math.round(bytes);
  process.stdout.write(
    `${JSON.stringify({
      server: kind,
      connections,
      heapBytesPerConnection: round(heapPerConnection),
      byOwner: Object.fromEntries(Object.entries(owners).map(([k, v]) => [k, round(v)])),
    })}\n`,
  );
} finally {
  pool.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
