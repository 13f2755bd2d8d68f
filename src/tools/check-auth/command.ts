/** `pushwire check-auth`: flags → checkAuth → report, with exit codes 0, 1 and 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Exit, UsageError, type ToolIo } from '../io.ts';
import { TOOL_USAGE } from '../usage.ts';
import { UnreachableError } from './probe.ts';
import { checkAuth, formatReport, type CheckAuthOptions } from './run.ts';

export const CHECK_AUTH_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  secret: { type: 'string' },
  channel: { type: 'string', multiple: true },
  'expect-deny': { type: 'string', multiple: true },
  header: { type: 'string', multiple: true },
  param: { type: 'string', multiple: true },
  cookie: { type: 'string' },
  jsonp: { type: 'boolean' },
  'user-auth': { type: 'boolean' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export function parseCheckAuthArgs(args: string[]): CheckAuthOptions & { json: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      options: CHECK_AUTH_OPTIONS,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const name of ['url', 'key', 'secret'] as const) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const url = values.url as string;
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, got ${url}`);
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    const name = header.slice(0, colon).trim();
    if (colon < 1 || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) {
      throw new UsageError(`--header must look like 'Name: value', got '${header}'`);
    }
    headers[name.toLowerCase()] = header.slice(colon + 1).trim();
  }
  const params: Record<string, string> = {};
  for (const param of values.param ?? []) {
    const equals = param.indexOf('=');
    if (equals < 1) throw new UsageError(`--param must look like name=value, got '${param}'`);
    params[param.slice(0, equals)] = param.slice(equals + 1);
  }
  if (values['user-auth'] && (values.channel || values['expect-deny'])) {
    throw new UsageError('--user-auth checks a user-authentication endpoint: it takes no channels');
  }
  return {
    url,
    key: values.key as string,
    secret: values.secret as string,
    channels: values.channel ?? [],
    expectDeny: values['expect-deny'] ?? [],
    headers,
    params,
    cookie: values.cookie,
    jsonp: values.jsonp ?? false,
    userAuth: values['user-auth'] ?? false,
    json: values.json ?? false,
  };
}

export async function checkAuthCommand(
  args: string[],
  io: ToolIo,
  extra: Partial<CheckAuthOptions> = {},
): Promise<number> {
  let options;
  try {
    options = { ...parseCheckAuthArgs(args), ...extra };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\nUsage: ${TOOL_USAGE['check-auth']}\n`);
    return Exit.Usage;
  }
  try {
    const report = await checkAuth(options);
    io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? Exit.Ok : Exit.Failed;
  } catch (error) {
    if (!(error instanceof UnreachableError)) throw error;
    if (options.json)
      io.out(`${JSON.stringify({ ok: false, url: options.url, error: error.message })}\n`);
    else io.err(`${error.message}\n`);
    return Exit.Usage;
  }
}
