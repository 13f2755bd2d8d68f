/**
 * `npm run bench`: a quick profile (under two minutes) of every scenario, scaled down, against a
 * freshly started Pushwire on 127.0.0.1 (or, with `--ceiling`, the bare server of bench/ceiling).
 * Prints one JSON line per scenario. The full-size runs and their commands are in
 * bench/RESULTS.md.
 */
import { parseTarget } from './lib/args.ts';
import { startCeiling, startPushwire } from './lib/server-process.ts';
import { runScenario } from './scenarios/index.ts';

const PROFILE: [string, string[]][] = [
  ['connect', ['--connections', '2000']],
  ['subscribe-private', ['--connections', '2000']],
  ['subscribe-presence', ['--connections', '2000', '--group', '50']],
  ['fan-out', ['--subscribers', '1000', '--events', '1000']],
  ['fan-out', ['--subscribers', '1000', '--events', '300', '--rate', '100']],
  [
    'many-channels',
    ['--channels', '200', '--per-channel', '5', '--batch', '10', '--events', '10000'],
  ],
  ['client-events', ['--pairs', '100', '--duration', '3000']],
];

const port = Number(process.env.BENCH_PORT ?? 6101);
// `npm run bench -- --ceiling`: the same profile against the bare server of bench/ceiling.
const server = process.argv.includes('--ceiling')
  ? await startCeiling(port)
  : await startPushwire(port);
let failed = false;
try {
  for (const [name, args] of PROFILE) {
    const { target, options } = parseTarget([
      '--port',
      String(port),
      '--pid',
      String(server.pid),
      ...args,
    ]);
    try {
      await runScenario(name, target, options);
    } catch (error) {
      failed = true;
      process.stderr.write(`${name}: ${String(error)}\n`);
    }
  }
} finally {
  await server.stop();
}
process.exit(failed ? 1 : 0);
