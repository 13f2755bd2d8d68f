/**
 * Starts a fresh Pushwire from this checkout in a child process (through tsx, no build needed),
 * with an app that allows bench-level client event rates, and stops it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const CEILING = fileURLToPath(new URL('../ceiling/server.ts', import.meta.url));

export const BENCH_APP = {
  id: 'app-id',
  key: 'app-key',
  secret: 'app-secret',
  maxClientEventsPerSecond: 1_000_000,
};

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

export function startPushwire(port: number, nodeFlags: string[] = []): Promise<ServerProcess> {
  const script = `import(${JSON.stringify(MAIN)}).then((m) => m.main(['start', '--port', '${port}'])).then((code) => process.exit(code))`;
  return startServer(port, [...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', script]);
}

/** The bare server of bench/ceiling/server.ts, for the same scenarios. */
export function startCeiling(port: number): Promise<ServerProcess> {
  return startServer(port, ['--import', 'tsx', CEILING, '--port', String(port)]);
}

/**
 * Any server started by `node ARGS` with the bench app in its environment, once it has printed
 * that it is listening.
 */
export function startServer(port: number, args: string[]): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PUSHWIRE_LOG_LEVEL: 'warn',
      PUSHWIRE_HOST: '127.0.0.1',
      PUSHWIRE_APPS: JSON.stringify([BENCH_APP]),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 20 s')), 20_000);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('listening')) return;
      clearTimeout(timer);
      child.stdout?.resume();
      resolve({
        pid: child.pid ?? 0,
        port,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}`));
    });
  });
}
