/**
 * subscribe-private and subscribe-presence: N connections subscribe at once, each with an auth
 * signed by the load generator (signing happens before the clock starts). Presence runs until
 * every `member_added` was delivered too.
 */
import { intOption, type Options, type Target } from '../lib/args.ts';
import { beginPhase, emit, perMillion } from '../lib/measure.ts';
import { ClientPool } from '../lib/pool.ts';
import { round, settledRss } from '../lib/proc-stats.ts';

export async function subscribeScenario(
  kind: 'private' | 'presence',
  target: Target,
  options: Options,
): Promise<void> {
  const connections = intOption(options, 'connections', 10_000);
  const group = intOption(options, 'group', kind === 'presence' ? 50 : 1);
  const pool = new ClientPool(target);
  try {
    const opened = await pool.connect(connections, intOption(options, 'concurrency', 100));
    const prefix = `${kind}-bench-${Date.now()}-`;
    await pool.prepare(kind, prefix, group);
    await pool.reset();
    // Presence: in a full group of `group` members, join k is announced to the k-1 before it.
    const fullGroups = Math.floor(opened.connected / group);
    const rest = opened.connected % group;
    const expectedMemberAdded =
      kind === 'presence' ? (fullGroups * group * (group - 1)) / 2 + (rest * (rest - 1)) / 2 : 0;
    const rssBefore = target.pid ? await settledRss(target.pid) : 0;
    const phase = await beginPhase(target, pool);
    await pool.subscribe();
    const totals = await pool.waitFor(
      (t) => t.subscribed + t.errors >= opened.connected && t.memberAdded >= expectedMemberAdded,
      (t) => t.subscribed + t.errors + t.memberAdded,
    );
    const cpu = await phase.end();
    // Read while the subscriptions are fresh, as a node is sized (not after an idle collection).
    const rssAfter = target.pid ? await settledRss(target.pid) : 0;
    const drained = (await pool.report(true)).histogram;
    const finishedAt = Math.max(totals.lastSubscribedAt, totals.lastMemberAddedAt);
    const seconds = (finishedAt - totals.firstSentAt) / 1000;
    emit({
      scenario: `subscribe-${kind}`,
      connections,
      connected: opened.connected,
      group,
      subscribed: totals.subscribed,
      errors: totals.errors,
      ...(kind === 'presence' ? { memberAdded: totals.memberAdded, expectedMemberAdded } : {}),
      seconds: Math.round(seconds * 1000) / 1000,
      subscriptionsPerSec: Math.round(totals.subscribed / seconds),
      // When subscriptions were confirmed, counted from the first subscribe sent.
      confirmedMs: { p50: drained.quantile(0.5), p99: drained.quantile(0.99), max: drained.max },
      ...cpu,
      serverCpuPerMillionSubscriptions: perMillion(cpu.serverCpuSeconds, totals.subscribed),
      serverCpuMsPerSubscription:
        cpu.serverCpuSeconds === null
          ? null
          : round((cpu.serverCpuSeconds * 1000) / Math.max(1, totals.subscribed), 4),
      rssPerSubscriptionKB: target.pid
        ? round((rssAfter - rssBefore) / 1024 / Math.max(1, totals.subscribed), 2)
        : null,
      ...(totals.firstError ? { firstError: totals.firstError } : {}),
    });
    await pool.close();
  } finally {
    pool.destroy();
  }
}
