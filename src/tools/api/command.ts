/**
 * `pushwire trigger`, `channels`, `users` and `webhooks`: HTTP API calls through the SDK,
 * against Pushwire or any Pusher-compatible server (Pusher included). Each prints the status and
 * the body the server answered. Exit 0 on a 2xx, 1 when the server refuses, 2 for bad usage or
 * an unreachable server. The secret and the request signature are never printed.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_APP } from '../../config/schema.ts';
import { Pushwire, PushwireSdkError, RequestError } from '@pushwire/sdk';
import { Exit, UsageError, type ToolIo } from '../io.ts';
import { TARGET_USAGE, TOOL_USAGE } from '../usage.ts';

export const TARGET_OPTIONS = {
  url: { type: 'string' },
  app: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  tls: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type TargetValues = { [K in keyof typeof TARGET_OPTIONS]?: K extends 'tls' ? boolean : string };

/** The SDK for `--url pushwire://KEY:SECRET@HOST:PORT/apps/ID` or the separate flags. */
export function targetSdk(values: TargetValues, fetchImpl?: typeof fetch): Pushwire {
  const extra = fetchImpl ? { fetch: fetchImpl } : {};
  if (values.url !== undefined) {
    if (values.app || values.key || values.secret || values.host || values.port) {
      throw new UsageError('give --url or --app/--key/--secret/--host/--port, not both');
    }
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(
        `--url is not a URL: expected pushwire://KEY:SECRET@HOST:PORT/apps/APP_ID`,
      );
    }
    const scheme = url.protocol === 'https:' || values.tls ? 'https' : 'http';
    if (!['pushwire:', 'http:', 'https:'].includes(url.protocol)) {
      throw new UsageError(`--url must start with pushwire://, http:// or https://`);
    }
    const match = /^\/apps\/([^/]+)\/?$/.exec(url.pathname);
    if (!match?.[1] || !url.username || !url.password) {
      throw new UsageError('--url must look like pushwire://KEY:SECRET@HOST:PORT/apps/APP_ID');
    }
    return new Pushwire({
      appId: decodeURIComponent(match[1]),
      key: decodeURIComponent(url.username),
      secret: decodeURIComponent(url.password),
      host: url.hostname,
      ...(url.port ? { port: url.port } : {}),
      scheme,
      ...extra,
    });
  }
  const defaults =
    values.app === undefined && values.key === undefined && values.secret === undefined;
  if (!defaults && (!values.app || !values.key || !values.secret)) {
    throw new UsageError('--app, --key and --secret go together');
  }
  return new Pushwire({
    appId: values.app ?? DEFAULT_APP.id,
    key: values.key ?? DEFAULT_APP.key,
    secret: values.secret ?? DEFAULT_APP.secret,
    host: values.host ?? '127.0.0.1',
    port: values.port ?? (values.host ? undefined : '6001'),
    scheme: values.tls ? 'https' : 'http',
    ...extra,
  });
}

/** Prints `HTTP <status>` and the body (indented when it is JSON). */
async function printAnswer(call: () => Promise<Response>, io: ToolIo): Promise<number> {
  let status: number;
  let body: string;
  try {
    const response = await call();
    status = response.status;
    body = await response.text();
  } catch (error) {
    if (error instanceof RequestError && error.status !== undefined) {
      status = error.status;
      body = error.body ?? '';
    } else if (error instanceof RequestError) {
      const cause = error.error as { cause?: { code?: string }; message?: string } | undefined;
      io.err(`Cannot reach the server: ${cause?.cause?.code ?? cause?.message ?? error.message}\n`);
      return Exit.Usage;
    } else if (error instanceof PushwireSdkError) {
      throw new UsageError(error.message);
    } else {
      throw error;
    }
  }
  let shown = body;
  try {
    shown = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON: shown as it came.
  }
  (status < 400 ? io.out : io.err)(`HTTP ${status}\n${shown}${shown.endsWith('\n') ? '' : '\n'}`);
  return status >= 200 && status < 300 ? Exit.Ok : Exit.Failed;
}

function parse<O extends ParseArgsConfig['options']>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...TARGET_OPTIONS, ...options }, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type Command = (args: string[], fetchImpl?: typeof fetch) => () => Promise<Response>;

/** Each command's own flags, beside the TARGET ones (the help lists every one). */
export const API_OPTIONS = {
  trigger: {
    channel: { type: 'string', multiple: true },
    event: { type: 'string' },
    data: { type: 'string' },
    'socket-id': { type: 'string' },
  },
  channels: {
    prefix: { type: 'string' },
    info: { type: 'string' },
  },
  users: {},
  webhooks: {},
} as const satisfies Record<string, ParseArgsConfig['options']>;

const commands: Record<'trigger' | 'channels' | 'users' | 'webhooks', Command> = {
  trigger(args, fetchImpl) {
    const { values, positionals } = parse(args, API_OPTIONS.trigger);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const channels = values.channel as string[] | undefined;
    if (!channels?.length) throw new UsageError('--channel is required');
    if (!values.event) throw new UsageError('--event is required');
    const raw = (values.data as string | undefined) ?? '{}';
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      throw new UsageError(`--data must be JSON, got ${raw}`);
    }
    const sdk = targetSdk(values as TargetValues, fetchImpl);
    const socketId = values['socket-id'] as string | undefined;
    const params = socketId ? { socket_id: socketId } : undefined;
    // Validated here, so a bad name is a usage error (2), not a refusal (1).
    const send = () => sdk.trigger(channels, values.event as string, data, params);
    return validated(send);
  },
  channels(args, fetchImpl) {
    const { values, positionals } = parse(args, API_OPTIONS.channels);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const sdk = targetSdk(values as TargetValues, fetchImpl);
    const params: Record<string, string> = {};
    if (values.prefix) params.filter_by_prefix = values.prefix as string;
    if (values.info) params.info = values.info as string;
    return () => sdk.get({ path: '/channels', params });
  },
  users(args, fetchImpl) {
    const { values, positionals } = parse(args, API_OPTIONS.users);
    const [channel, ...rest] = positionals;
    if (!channel) throw new UsageError('the presence channel is required: pushwire users CHANNEL');
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const sdk = targetSdk(values as TargetValues, fetchImpl);
    return () => sdk.get({ path: `/channels/${encodeURIComponent(channel)}/users` });
  },
  webhooks(args, fetchImpl) {
    const { values, positionals } = parse(args, API_OPTIONS.webhooks);
    const [action, id, ...rest] = positionals;
    const sdk = targetSdk(values as TargetValues, fetchImpl);
    if (action === 'dead-letters' && id === undefined) {
      return () => sdk.get({ path: '/webhooks/dead_letters' });
    }
    if (action === 'redeliver' && id !== undefined && rest.length === 0) {
      const path = `/webhooks/dead_letters/${encodeURIComponent(id)}/redeliver`;
      return () => sdk.post({ path, body: {} });
    }
    throw new UsageError(
      'expected pushwire webhooks dead-letters, or pushwire webhooks redeliver ID',
    );
  },
};

/** Runs the SDK's synchronous checks now, so they surface as usage errors. */
function validated(send: () => Promise<Response>): () => Promise<Response> {
  let promise: Promise<Response>;
  try {
    promise = send();
  } catch (error) {
    if (error instanceof PushwireSdkError) throw new UsageError(error.message);
    throw error;
  }
  return () => promise;
}

export const API_COMMANDS = Object.keys(commands) as Array<keyof typeof commands>;

export async function apiCommand(
  name: keyof typeof commands,
  args: string[],
  io: ToolIo,
  fetchImpl?: typeof fetch,
): Promise<number> {
  try {
    return await printAnswer(commands[name](args, fetchImpl), io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\nUsage: ${TOOL_USAGE[name]}\n${TARGET_USAGE}\n`);
    return Exit.Usage;
  }
}
