/**
 * `check-auth` as a function: which requests to send, the checks over each answer, and the
 * report (text or JSON). The command line around it is command.ts.
 */
import {
  checkCallbackEscaping,
  checkChannelAnswer,
  checkUserAnswer,
  type CheckResult,
} from './checks.ts';
import {
  HOSTILE_CALLBACK,
  probe,
  PUSHER_JS_CALLBACK,
  realisticSocketId,
  type ProbeOptions,
  type Sent,
} from './probe.ts';

export const DEFAULT_CHANNELS = [
  'private-pushwire-check',
  'presence-pushwire-check',
  'private-encrypted-pushwire-check',
] as const;

export interface CheckAuthOptions extends ProbeOptions {
  readonly key: string;
  readonly secret: string;
  /** Channels expected to be allowed; the default set when empty and not `userAuth`. */
  readonly channels: readonly string[];
  /** Channels requested as well, which must be answered 403. */
  readonly expectDeny: readonly string[];
  /** Extra fields sent after the others, as pusher-js `params` are (a CSRF token for JSONP). */
  readonly params?: Readonly<Record<string, string>>;
  readonly jsonp: boolean;
  /** The URL is a user-authentication endpoint (`pusher.signin()`). */
  readonly userAuth: boolean;
  /** Fixed for tests; a fresh realistic one otherwise. */
  readonly socketId?: string;
}

export interface ProbeReport {
  /** The channel name, or `user` for user authentication, or `callback` for the JSONP probe. */
  readonly target: string;
  readonly sent: Sent;
  readonly received: { readonly status: number; readonly contentType: string | undefined };
  readonly checks: CheckResult[];
}

export interface CheckAuthReport {
  readonly ok: boolean;
  readonly url: string;
  readonly socketId: string;
  readonly probes: ProbeReport[];
}

/** Runs every request and check; rejects with UnreachableError when the URL cannot be reached. */
export async function checkAuth(options: CheckAuthOptions): Promise<CheckAuthReport> {
  const socketId = options.socketId ?? realisticSocketId();
  const callback = options.jsonp ? PUSHER_JS_CALLBACK : undefined;
  const context = { key: options.key, secret: options.secret, socketId, callback };
  const probes: ProbeReport[] = [];
  const record = (
    target: string,
    sent: Sent,
    received: ProbeReport['received'],
    checks: CheckResult[],
  ) =>
    probes.push({
      target,
      sent,
      received: { status: received.status, contentType: received.contentType },
      checks,
    });

  let first: Record<string, string>;
  if (options.userAuth) {
    first = { socket_id: socketId, ...options.params };
    const { sent, received } = await probe(options, first, callback);
    record('user', sent, received, checkUserAnswer(context, received));
  } else {
    const allowed = options.channels.length > 0 ? options.channels : DEFAULT_CHANNELS;
    const targets = [
      ...allowed.map((channel) => ({ channel, expect: 'allow' as const })),
      ...options.expectDeny.map((channel) => ({ channel, expect: 'deny' as const })),
    ];
    const channel = targets[0]?.channel ?? DEFAULT_CHANNELS[0];
    first = { socket_id: socketId, channel_name: channel, ...options.params };
    for (const { channel, expect } of targets) {
      const fields = { socket_id: socketId, channel_name: channel, ...options.params };
      const { sent, received } = await probe(options, fields, callback);
      record(channel, sent, received, checkChannelAnswer(context, channel, expect, received));
    }
  }
  if (options.jsonp) {
    const { sent, received } = await probe(options, first, HOSTILE_CALLBACK);
    record('callback', sent, received, [checkCallbackEscaping(HOSTILE_CALLBACK, received)]);
  }
  const ok = probes.every((p) => p.checks.every((check) => check.ok));
  return { ok, url: options.url, socketId, probes };
}

/** One line per request (what was sent and received), then one line per check. */
export function formatReport(report: CheckAuthReport): string {
  const lines = [`check-auth ${report.url} (socket_id ${report.socketId})`];
  for (const { target, sent, received, checks } of report.probes) {
    const fields = Object.entries(sent.fields)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      `${target}: ${sent.method} ${fields} → ${received.status} ${received.contentType ?? '(no content type)'}`,
    );
    for (const check of checks) {
      const cause = check.ok || !check.cause ? '' : `; likely cause: ${check.cause}`;
      lines.push(`  ${check.ok ? '✓' : '✗'} ${check.name}: ${check.message}${cause}`);
    }
  }
  const all = report.probes.flatMap((p) => p.checks);
  const failed = all.filter((check) => !check.ok).length;
  lines.push(
    failed === 0 ? `All ${all.length} checks pass.` : `${failed} of ${all.length} checks fail.`,
  );
  return `${lines.join('\n')}\n`;
}
