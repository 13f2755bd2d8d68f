/**
 * Which process holds a TCP connection (Linux /proc): lets a test see which `--workers` process
 * accepted each client without any hook in the server.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Inodes of the sockets `pid` has open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // Closed while we looked.
    }
  }
  return inodes;
}

/** Established connections that `pid` accepted on local port `port`. */
export function acceptedConnections(pid: number, port: number): number {
  const inodes = socketInodes(pid);
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== '01' || inode === undefined) continue;
      if (parseInt(local.split(':')[1] ?? '', 16) === port && inodes.has(inode)) count++;
    }
  }
  return count;
}

/** The child processes of `pid`. */
export function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

/**
 * The inodes of the established TCP sockets with local port `port` (and peer port `peerPort`),
 * as the kernel filters them for `ss`: that costs milliseconds however many sockets the machine
 * holds, where reading /proc/net/tcp costs a quarter of a CPU-second at 50,000 of them.
 */
function establishedInodes(port: number, peerPort?: number): string[] {
  const filter = `sport = :${port}${peerPort === undefined ? '' : ` and dport = :${peerPort}`}`;
  const listed = execFileSync('ss', ['-Htne', 'state', 'established', filter], {
    encoding: 'utf8',
  });
  return [...listed.matchAll(/\bino:(\d+)/g)].map((match) => match[1]!);
}

/**
 * Which of `pids` holds the server end of the connection from local port `clientPort` to
 * `port`, once that process has accepted it.
 */
export function holderOf(
  pids: readonly number[],
  port: number,
  clientPort: number,
): number | undefined {
  const [inode] = establishedInodes(port, clientPort);
  return inode === undefined ? undefined : pids.find((pid) => socketInodes(pid).has(inode));
}
