/**
 * connect: opens N idle connections, then closes them. Reports the connect rate, the server's
 * RSS per idle connection, and whether RSS comes back after every connection closed.
 */
import { intOption, type Options, type Target } from '../lib/args.ts';
import { beginPhase, emit } from '../lib/measure.ts';
import { ClientPool } from '../lib/pool.ts';
import { round, settledRss } from '../lib/proc-stats.ts';

export async function connectScenario(target: Target, options: Options): Promise<void> {
  const connections = intOption(options, 'connections', 1000);
  const pool = new ClientPool(target);
  try {
    const rssBefore = target.pid ? await settledRss(target.pid) : 0;
    const phase = await beginPhase(target, pool);
    const opened = await pool.connect(connections, intOption(options, 'concurrency', 100));
    const cpu = await phase.end();
    // Idle connections: give the server the same time to settle as after the close below.
    const rssLoaded = target.pid ? await settledRss(target.pid, 6000, 40_000) : 0;
    const totals = await pool.report();
    await pool.close();
    // Long enough for a server to notice it went idle and give memory back (Pushwire: ~5 s).
    const rssAfterClose = target.pid ? await settledRss(target.pid, 6000, 40_000) : 0;
    const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
    emit({
      scenario: 'connect',
      connections,
      connected: opened.connected,
      failed: opened.failed,
      openAtEnd: totals.open,
      connectsPerSec: Math.round(opened.connected / (opened.ms / 1000)),
      rssBeforeMB: mb(rssBefore),
      rssLoadedMB: mb(rssLoaded),
      rssPerConnectionKB: target.pid
        ? round((rssLoaded - rssBefore) / 1024 / Math.max(1, opened.connected), 2)
        : null,
      rssAfterCloseMB: mb(rssAfterClose),
      rssAfterCloseVsBeforePct: target.pid
        ? round(((rssAfterClose - rssBefore) / rssBefore) * 100, 1)
        : null,
      ...cpu,
      serverCpuMsPerConnection:
        cpu.serverCpuSeconds === null
          ? null
          : round((cpu.serverCpuSeconds * 1000) / Math.max(1, opened.connected), 3),
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
    });
  } finally {
    pool.destroy();
  }
}
