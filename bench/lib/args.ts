/**
 * Command-line options shared by every scenario: where the server is, which app to use and which
 * process to measure. Every scenario runs against any Pusher-compatible server.
 */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly appId: string;
  readonly key: string;
  readonly secret: string;
  /** Server process to read CPU and RSS from (/proc/<pid>); 0 when unknown. */
  readonly pid: number;
  /** Load-generator worker processes holding the WebSocket clients. */
  readonly workers: number;
}

export type Options = Record<string, string | undefined>;

const DEFAULTS: Record<string, string> = {
  host: '127.0.0.1',
  port: '6001',
  'app-id': 'app-id',
  key: 'app-key',
  secret: 'app-secret',
  pid: '0',
  workers: '2',
};

/** Splits `--name value` pairs into the target and the scenario's own options. */
export function parseTarget(argv: string[]): { target: Target; options: Options } {
  const values: Options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) values[arg.slice(2)] = 'true';
    else values[arg.slice(2)] = argv[++i];
  }
  const options: Options = {};
  for (const [name, value] of Object.entries(values))
    if (!(name in DEFAULTS)) options[name] = value;
  const host = String(values.host);
  // Bench traffic stays on this machine.
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('bench targets 127.0.0.1 only');
  return {
    target: {
      host: '127.0.0.1',
      port: Number(values.port),
      appId: String(values['app-id']),
      key: String(values.key),
      secret: String(values.secret),
      pid: Number(values.pid),
      workers: Math.max(1, Number(values.workers)),
    },
    options,
  };
}

export function intOption(options: Options, name: string, fallback: number): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
  return value;
}
