/** Server and load-generator CPU over one measured phase. */
import type { Target } from './args.ts';
import type { ClientPool } from './pool.ts';
import type { PublishResult } from './publisher.ts';
import {
  cpuBetween,
  machineBusySeconds,
  round,
  sampleProcess,
  type ProcSample,
} from './proc-stats.ts';

export interface Phase {
  /** Server CPU seconds and load-generator CPU seconds spent since the phase began. */
  end(): Promise<{
    serverCpuSeconds: number | null;
    /** The part of serverCpuSeconds spent in the kernel. */
    serverSystemCpuSeconds: number | null;
    loadGenCpuSeconds: number;
    /** CPU used meanwhile by everything else on the machine: noise in the figures. */
    otherCpuSeconds: number | null;
  }>;
}

export async function beginPhase(target: Target, pool: ClientPool): Promise<Phase> {
  const server: ProcSample | undefined = sampleProcess(target.pid);
  const workers = (await pool.report()).cpuMicros;
  const machine = machineBusySeconds();
  const self = process.cpuUsage();
  return {
    async end() {
      const serverAfter = sampleProcess(target.pid);
      const workersAfter = (await pool.report()).cpuMicros;
      const selfUsed = process.cpuUsage(self);
      const busy = machineBusySeconds() - machine;
      const serverCpuSeconds = cpuBetween(server, serverAfter);
      const loadGenCpuSeconds = round(
        (workersAfter - workers + selfUsed.user + selfUsed.system) / 1e6,
        2,
      );
      return {
        serverCpuSeconds,
        serverSystemCpuSeconds:
          server && serverAfter ? round(serverAfter.systemSeconds - server.systemSeconds, 2) : null,
        loadGenCpuSeconds,
        otherCpuSeconds:
          serverCpuSeconds === null
            ? null
            : round(Math.max(0, busy - serverCpuSeconds - loadGenCpuSeconds), 2),
      };
    },
  };
}

/** CPU seconds per million messages, or null when the server pid is unknown. */
export const perMillion = (cpuSeconds: number | null, messages: number) =>
  cpuSeconds === null || messages === 0 ? null : round((cpuSeconds / messages) * 1e6, 2);

export function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, at: new Date().toISOString() })}\n`);
}

/** What a publishing scenario delivered, from its publisher's result and the receivers' totals. */
export function deliveryFigures(
  published: PublishResult,
  totals: { readonly events: number; readonly lastEventAt: number },
  expected: number,
) {
  const seconds = (totals.lastEventAt - published.startedAt) / 1000;
  return {
    publishFailed: published.failed,
    ...(published.firstError ? { publishError: published.firstError } : {}),
    delivered: totals.events,
    lost: expected - totals.events,
    seconds: Math.round(seconds * 1000) / 1000,
    deliveredPerSec: Math.round(totals.events / seconds),
  };
}
