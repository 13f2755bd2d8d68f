/**
 * `pushwire --help` and `pushwire --version`: every command and every flag, in one text. The
 * flags of `start` are declared here beside their help, and a test checks that each flag any
 * parser accepts is in the help.
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { toolsUsage } from '../tools/index.ts';

export const START_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  workers: { type: 'string', short: 'w' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

export const USAGE = `Usage: pushwire [COMMAND] [FLAGS]

Commands:
  start        Start the server (the default when no command is given)
  check-auth   Check an auth endpoint as pusher-js calls it
  trigger      Publish an event through the HTTP API
  channels     List the occupied channels
  users        List the users of a presence channel
  webhooks     List the webhooks whose retries ran out, or redeliver one
  help         Print this help (also -h, --help; each command takes --help too)

pushwire start [FLAGS]
  --host HOST        Interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --port PORT        Port of the WebSocket, the HTTP API and the console (default 6001)
  --tls-cert FILE    PEM certificate chain: serve wss and https (reloaded when it changes)
  --tls-key FILE     PEM private key of that certificate
  -w, --workers N    Processes sharing the port; more than 1 needs the Redis adapter
                     (PUSHWIRE_ADAPTER=redis, PUSHWIRE_REDIS_URL=redis://host:6379)
  -c, --config FILE  JSON configuration file
  -h, --help         Print this help
  -v, --version      Print the version

Without a configuration it serves the embedded default app (id 1, key app-key, secret
app-secret), whose secret is public: keep it on 127.0.0.1. Environment: PUSHWIRE_HOST,
PUSHWIRE_PORT, PUSHWIRE_CONFIG, PUSHWIRE_APPS (JSON), PUSHWIRE_TLS_CERT_FILE,
PUSHWIRE_TLS_KEY_FILE, and PUSHWIRE_<SETTING> for every setting of the README.

Developer tools:
${toolsUsage()}`;

/** The version of the installed package, as `npm` and `npx` report it. */
export function version(): string {
  // ../../package.json from src/cli and from dist/cli alike.
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}
