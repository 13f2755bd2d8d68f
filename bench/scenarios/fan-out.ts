/**
 * fan-out: N subscribers on one public channel; K events published over the HTTP API, unpaced
 * (a window of in-flight requests) or at a fixed rate. Reports delivered/s, publish→receipt
 * latency, lost messages and server CPU per million delivered. `--transport xhr_streaming` runs
 * the subscribers over the HTTP fallback instead of WebSocket.
 */
import { intOption, type Options, type Target } from '../lib/args.ts';
import { beginPhase, deliveryFigures, emit, perMillion } from '../lib/measure.ts';
import { ClientPool } from '../lib/pool.ts';
import { publish } from '../lib/publisher.ts';

export async function fanOutScenario(target: Target, options: Options): Promise<void> {
  const subscribers = intOption(options, 'subscribers', 1000);
  const events = intOption(options, 'events', 2000);
  const rate = intOption(options, 'rate', 0);
  const transport = options.transport === 'xhr_streaming' ? 'xhr_streaming' : 'ws';
  const pool = new ClientPool(target, transport);
  try {
    const opened = await pool.connect(subscribers);
    const channel = `fan-out-${Date.now()}`;
    await pool.prepare('public', channel, Number.MAX_SAFE_INTEGER);
    await pool.subscribe();
    await pool.waitFor(
      (t) => t.subscribed >= opened.connected,
      (t) => t.subscribed,
    );
    await pool.reset();
    const expected = opened.connected * events;
    const phase = await beginPhase(target, pool);
    const published = await publish(target, {
      requests: events,
      batch: 1,
      channelOf: () => `${channel}0`,
      rate,
      concurrency: intOption(options, 'concurrency', 16),
      padding: intOption(options, 'padding', 0),
    });
    const totals = await pool.waitFor(
      (t) => t.events >= opened.connected * published.sent,
      (t) => t.events,
    );
    const cpu = await phase.end();
    const full = await pool.report(true);
    emit({
      scenario: 'fan-out',
      transport,
      subscribers: opened.connected,
      events,
      rate: rate || 'unpaced',
      published: published.sent,
      ...deliveryFigures(published, totals, expected),
      latencyMs: {
        p50: full.histogram.quantile(0.5),
        p99: full.histogram.quantile(0.99),
        max: Math.round(full.histogram.max * 10) / 10,
      },
      ...cpu,
      serverCpuPerMillion: perMillion(cpu.serverCpuSeconds, totals.events),
      closedByServer: totals.closedByServer,
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
    });
    await pool.close();
  } finally {
    pool.destroy();
  }
}
