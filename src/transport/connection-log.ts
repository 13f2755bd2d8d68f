/**
 * What the debug log says about a connection: where it came from (the peer, and a proxy's
 * X-Forwarded-For, shown as sent: nothing trusts it), and one line per thing its session did.
 * No line carries a secret or a signature.
 */
import type { IncomingMessage } from 'node:http';
import type { SessionTrace } from '../connection/session.ts';
import { withoutSignatures } from '../observability/log-safe.ts';
import type { Logger } from '../observability/logger.ts';

/** Where a connection came from, for the debug log: the proxy's X-Forwarded-For too. */
export interface Peer {
  readonly remoteAddress: string | undefined;
  readonly forwardedFor?: string;
}

export function peerOf(request: IncomingMessage): Peer {
  const forwarded = request.headers['x-forwarded-for'];
  const remoteAddress = request.socket.remoteAddress;
  return typeof forwarded === 'string'
    ? { remoteAddress, forwardedFor: forwarded.slice(0, 200) }
    : { remoteAddress };
}

/** One debug line per thing a session did; never a secret, never a signature. */
export function logTrace(
  logger: Logger,
  appId: string,
  socketId: string,
  entry: SessionTrace,
): void {
  const at = { socketId, appId };
  switch (entry.kind) {
    case 'subscribed':
    case 'unsubscribed':
      return logger.debug({ ...at, channel: entry.channel }, `${entry.kind} ${entry.channel}`);
    case 'signed_in':
      return logger.debug({ ...at, userId: entry.userId }, `signed in as ${entry.userId}`);
    case 'closed': {
      const reason = withoutSignatures(entry.reason);
      return logger.debug({ ...at, code: entry.code, reason }, `closed (${entry.code}): ${reason}`);
    }
  }
}
