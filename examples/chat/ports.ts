/**
 * The example's three ports: flags first, then environment variables, then the defaults (6001,
 * 3000, 3001) moved by `--port-offset N`. PUSHWIRE_PORT is the server's own variable, so one
 * setting moves Pushwire for the example and for `pushwire start` alike.
 */
import { parseArgs } from 'node:util';

export interface ChatPorts {
  readonly pushwirePort: number;
  readonly chatPort: number;
  readonly jsonpPort: number;
}

export const PORTS_USAGE = `Usage: npx tsx examples/chat/main.ts [--pushwire-port N] [--chat-port N] [--jsonp-port N] [--port-offset N]
Environment: PUSHWIRE_PORT, CHAT_PORT, CHAT_JSONP_PORT (flags win). Defaults: 6001, 3000, 3001.`;

function port(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535)
    throw new Error(`${what} must be a port number, got ${value}`);
  return n;
}

export function chatPorts(argv: string[], env: NodeJS.ProcessEnv): ChatPorts {
  const { values } = parseArgs({
    args: argv,
    options: {
      'pushwire-port': { type: 'string' },
      'chat-port': { type: 'string' },
      'jsonp-port': { type: 'string' },
      'port-offset': { type: 'string' },
    },
  });
  const offset =
    values['port-offset'] === undefined ? 0 : port(values['port-offset'], '--port-offset');
  const pick = (flag: keyof typeof values, variable: string, fallback: number): number => {
    const fromFlag = values[flag];
    if (fromFlag !== undefined) return port(fromFlag, `--${flag}`);
    const fromEnv = env[variable];
    return fromEnv ? port(fromEnv, variable) : fallback + offset;
  };
  return {
    pushwirePort: pick('pushwire-port', 'PUSHWIRE_PORT', 6001),
    chatPort: pick('chat-port', 'CHAT_PORT', 3000),
    jsonpPort: pick('jsonp-port', 'CHAT_JSONP_PORT', 3001),
  };
}
