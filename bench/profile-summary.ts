/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file,
 * heaviest first, optionally for a time window only (seconds from the profile's start), so the
 * measured phase of a scenario can be told apart from its setup. `--timeline` prints how busy
 * each second (or each `--step S`) was, to find that window; `--mark NAME` prints when a function
 * of that name was first and last sampled (e.g. a handler only the measured phase runs), for
 * phases too short to tell apart at one-second resolution.
 * Usage: node --import tsx bench/profile-summary.ts FILE [--top 30] [--from S] [--to S]
 *        [--timeline [--step S]] [--mark NAME]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : process.argv[index + 1];
}

// Piped into `head`: stop quietly when the reader goes away.
process.stdout.on('error', () => process.exit(0));
const file = process.argv[2];
if (!file)
  throw new Error(
    'usage: profile-summary.ts FILE [--top N] [--from S] [--to S] [--timeline [--step S]] [--mark NAME]',
  );
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(option('top') ?? 30);
const fromMicros = Number(option('from') ?? 0) * 1e6;
const toMicros = Number(option('to') ?? Infinity) * 1e6;
const stepMicros = Number(option('step') ?? 1) * 1e6;
const mark = option('mark');
let markFirst: number | undefined;
let markLast: number | undefined;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
const busyPerSecond: number[] = [];
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  const bucket = Math.floor(at / stepMicros);
  const functionName = byId.get(id)?.callFrame.functionName;
  if (functionName !== '(idle)') {
    busyPerSecond[bucket] = (busyPerSecond[bucket] ?? 0) + delta;
  }
  if (mark !== undefined && functionName === mark) {
    markFirst ??= at;
    markLast = at;
  }
  if (at < fromMicros || at > toMicros) continue;
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
}
if (process.argv.includes('--timeline')) {
  process.stdout.write('second  busy% (main thread, from samples)\n');
  // forEach skips holes: fill them so an idle stretch shows as 0%.
  Array.from(busyPerSecond, (micros) => micros ?? 0).forEach((micros, bucket) => {
    const start = ((bucket * stepMicros) / 1e6).toFixed(stepMicros < 1e6 ? 1 : 0);
    process.stdout.write(`${start.padStart(6)}  ${((micros / stepMicros) * 100).toFixed(0)}%\n`);
  });
}
if (mark !== undefined) {
  const at = (micros: number | undefined) =>
    micros === undefined ? 'never' : `${(micros / 1e6).toFixed(3)} s`;
  process.stdout.write(`${mark}: first sampled at ${at(markFirst)}, last at ${at(markLast)}\n`);
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const where = frame.url.replace(/^.*\/(node_modules|dist-[^/]+|src)\//, '$1/') || '(native)';
  const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byFile.set(where, (byFile.get(where) ?? 0) + micros);
}

const print = (title: string, table: Map<string, number>) => {
  process.stdout.write(`\n${title} (self time, of ${(total / 1e6).toFixed(2)} s sampled)\n`);
  for (const [name, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
print('By function', byFunction);
print('By file', byFile);
