/**
 * `pushwire start`: argv → config → server. A thin shell; everything it does is also available
 * from code through `startServer`. The only reader of `process.argv`.
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { loadConfig } from '../config/load.ts';
import { workerMetrics } from '../observability/cluster-metrics.ts';
import { createLogger } from '../observability/logger.ts';
import { startServer, type RunningServer } from '../server/server.ts';
import { isTool, runTool } from '../tools/index.ts';
import { banner } from './banner.ts';
import { START_OPTIONS, USAGE, version } from './usage.ts';
import { announceWorkerReady, runPrimary } from './workers.ts';

export async function main(argv: string[]): Promise<number> {
  // The developer tools parse their own flags.
  if (isTool(argv[0])) return runTool(argv[0], argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: START_OPTIONS,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command = 'start'] = parsed.positionals;
  if (parsed.values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (parsed.values.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'start') {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}\n`);
    return 2;
  }
  const overrides: Record<string, unknown> = {};
  if (parsed.values.host !== undefined) overrides.host = parsed.values.host;
  if (parsed.values.port !== undefined) overrides.port = Number(parsed.values.port);
  if (parsed.values.workers !== undefined) overrides.workers = Number(parsed.values.workers);
  const tls = { certFile: parsed.values['tls-cert'], keyFile: parsed.values['tls-key'] };
  if (tls.certFile !== undefined || tls.keyFile !== undefined) {
    overrides.tls = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
  }

  let config;
  const warnings: string[] = [];
  try {
    config = loadConfig({
      file: parsed.values.config,
      overrides,
      warn: (message) => warnings.push(message),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const message of warnings) process.stderr.write(`warning: ${message}\n`);
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const isWorker = config.workers > 1 && cluster.isWorker;
  // Workers load the same environment: the primary alone reports what it ignored.
  if (!isWorker) for (const message of warnings) logger.warn(message);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger);
  const clusterMetrics = isWorker && config.metrics ? workerMetrics() : undefined;
  let server: RunningServer;
  try {
    server = await startServer(config, {
      logger: isWorker ? logger.child({ worker: cluster.worker?.id }) : logger,
      ...(clusterMetrics ? { scrapeMetrics: clusterMetrics.scrape } : {}),
    });
    clusterMetrics?.collectFrom(server.metrics.registry);
  } catch (error) {
    process.stderr.write(`Could not start: ${(error as Error).message}\n`);
    return 1;
  }
  const stopped = new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => resolve(0), config.shutdownTimeoutMs);
      force.unref();
      server.stop().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    // A worker whose primary is gone would serve on unsupervised: it drains and leaves.
    if (isWorker) process.once('disconnect', () => shutdown('disconnect'));
  });
  // Printed only once the signal handlers are in place: whoever reads it may signal at once.
  if (isWorker) announceWorkerReady(banner(server));
  else process.stdout.write(banner(server));
  return stopped;
}
