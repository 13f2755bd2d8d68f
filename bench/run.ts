/**
 * Runs one scenario against any Pusher-compatible server and prints one JSON line:
 *   node --import tsx bench/run.ts <scenario> [--host 127.0.0.1] [--port 6001] [--app-id ID]
 *     [--key KEY] [--secret SECRET] [--pid SERVER_PID] [--workers 2] [scenario options]
 * Scenarios: connect, subscribe-private, subscribe-presence, fan-out, many-channels,
 * client-events (see each file in bench/scenarios for its options).
 */
import { parseTarget } from './lib/args.ts';
import { runScenario } from './scenarios/index.ts';

const [name, ...rest] = process.argv.slice(2);
const { target, options } = parseTarget(rest);
runScenario(name ?? '', target, options).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
