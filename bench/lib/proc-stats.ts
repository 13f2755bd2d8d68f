/** CPU time and resident memory of a process, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks; 100 on every Linux we target. */
const TICKS_PER_SECOND = 100;
const PAGE_SIZE = 4096;

export interface ProcSample {
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  /** The kernel's share of cpuSeconds: syscalls, and on loopback the peer's TCP receive work. */
  readonly systemSeconds: number;
  readonly rssBytes: number;
}

export function sampleProcess(pid: number): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return {
      cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
      systemSeconds: stime / TICKS_PER_SECOND,
      rssBytes: rssPages * PAGE_SIZE,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds used between two samples, or null when the server pid is unknown. */
export function cpuBetween(before: ProcSample | undefined, after: ProcSample | undefined) {
  if (!before || !after) return null;
  return round(after.cpuSeconds - before.cpuSeconds, 2);
}

/** Busy CPU seconds of the whole machine (all processes), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks.slice(0, 8).reduce((a, b) => a + b, 0) - (ticks[3] ?? 0) - (ticks[4] ?? 0);
  return busy / TICKS_PER_SECOND;
}

export const round = (value: number, digits = 1): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** Waits until the server's RSS stops moving (within 1% over `quietMs`), or `maxMs`. */
export async function settledRss(pid: number, quietMs = 1500, maxMs = 10_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = sampleProcess(pid)?.rssBytes ?? 0;
  while (Date.now() < deadline) {
    await sleep(quietMs);
    const now = sampleProcess(pid)?.rssBytes ?? 0;
    if (Math.abs(now - last) <= last * 0.01) return now;
    last = now;
  }
  return last;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
