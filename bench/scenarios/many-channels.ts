/**
 * many-channels: C channels × S subscribers each; events spread round-robin over the channels,
 * published with `batch_events` of B (or `/events` when B is 1).
 */
import { intOption, type Options, type Target } from '../lib/args.ts';
import { beginPhase, deliveryFigures, emit, perMillion } from '../lib/measure.ts';
import { ClientPool } from '../lib/pool.ts';
import { publish } from '../lib/publisher.ts';

export async function manyChannelsScenario(target: Target, options: Options): Promise<void> {
  const channels = intOption(options, 'channels', 1000);
  const perChannel = intOption(options, 'per-channel', 5);
  const batch = Math.min(10, Math.max(1, intOption(options, 'batch', 10)));
  const events = intOption(options, 'events', 40_000);
  const pool = new ClientPool(target);
  try {
    const opened = await pool.connect(channels * perChannel);
    const prefix = `many-${Date.now()}-`;
    await pool.prepare('public', prefix, perChannel);
    await pool.subscribe();
    await pool.waitFor(
      (t) => t.subscribed >= opened.connected,
      (t) => t.subscribed,
    );
    await pool.reset();
    const requests = Math.ceil(events / batch);
    const phase = await beginPhase(target, pool);
    const published = await publish(target, {
      requests,
      batch,
      channelOf: (request, item) => `${prefix}${(request * batch + item) % channels}`,
      rate: 0,
      concurrency: intOption(options, 'concurrency', 16),
    });
    const expected = published.sent * batch * perChannel;
    const totals = await pool.waitFor(
      (t) => t.events >= expected,
      (t) => t.events,
    );
    const cpu = await phase.end();
    const full = await pool.report(true);
    emit({
      scenario: 'many-channels',
      channels,
      perChannel,
      batch,
      events: requests * batch,
      publishRequests: published.sent,
      ...deliveryFigures(published, totals, expected),
      latencyMs: { p50: full.histogram.quantile(0.5), p99: full.histogram.quantile(0.99) },
      ...cpu,
      serverCpuPerMillion: perMillion(cpu.serverCpuSeconds, totals.events),
    });
    await pool.close();
  } finally {
    pool.destroy();
  }
}
