/**
 * A Pushwire node as its own process (`pushwire start --port 0` from source), for the suites
 * where nodes crash, restart or disagree: the node's output is kept for the test to read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitUntil } from './wait.ts';

const ENTRY = new URL('../../src/cli/bin.ts', import.meta.url).pathname;

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the node wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, resolved once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL: the node dies at once, leaving whatever it held in Redis. */
  kill(): Promise<void>;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(name);
  });
}

/**
 * Starts a node with `env` over the test's own environment; resolves once it listens. `imports`
 * are modules loaded before the node (after tsx), such as a test's fault hook.
 */
export async function startNodeProcess(
  env: Record<string, string>,
  imports: readonly string[] = [],
): Promise<NodeProcess> {
  const preload = ['tsx', ...imports].flatMap((module) => ['--import', module]);
  const child = spawn(process.execPath, [...preload, ENTRY, 'start', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk) => (output += chunk.toString()));
  const port = await waitUntil(
    () => /listening on ws:\/\/[^:]+:(\d+)\n/.exec(output)?.[1] ?? (exited(child) && 'exited'),
    'a node to start',
    15_000,
  );
  if (port === 'exited') throw new Error(`the node exited at start:\n${output}`);
  return {
    child,
    port: Number(port),
    output: () => output,
    stop: () => signal(child, 'SIGTERM'),
    kill: () => signal(child, 'SIGKILL'),
  };
}
