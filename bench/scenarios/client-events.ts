/**
 * client-events: P pairs of clients on private channels ping-pong `client-` events for a fixed
 * time; each pong is one round trip. The app must allow enough client events per second.
 */
import { intOption, type Options, type Target } from '../lib/args.ts';
import { beginPhase, emit, perMillion } from '../lib/measure.ts';
import { ClientPool } from '../lib/pool.ts';

export async function clientEventsScenario(target: Target, options: Options): Promise<void> {
  const pairs = intOption(options, 'pairs', 500);
  const durationMs = intOption(options, 'duration', 10_000);
  const pool = new ClientPool(target);
  try {
    const opened = await pool.connect(pairs * 2);
    await pool.prepare('private', `private-pair-${Date.now()}-`, 2);
    await pool.subscribe();
    await pool.waitFor(
      (t) => t.subscribed + t.errors >= opened.connected,
      (t) => t.subscribed,
    );
    await pool.reset();
    const phase = await beginPhase(target, pool);
    const run = await pool.pingPong(durationMs);
    const cpu = await phase.end();
    const totals = await pool.report();
    emit({
      scenario: 'client-events',
      pairs,
      connected: opened.connected,
      durationMs,
      roundTrips: run.roundTrips,
      roundTripsPerSec: Math.round(run.roundTrips / (run.ms / 1000)),
      errors: totals.errors,
      ...cpu,
      // Each round trip is two client events in and two deliveries out.
      serverCpuPerMillionRoundTrips: perMillion(cpu.serverCpuSeconds, run.roundTrips),
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
    });
    await pool.close();
  } finally {
    pool.destroy();
  }
}
