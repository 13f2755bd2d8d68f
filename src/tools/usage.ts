/** The usage of every developer tool, in one place, for the CLI's help text. */
export const TOOL_USAGE = {
  'check-auth': `pushwire check-auth --url URL --key KEY --secret SECRET [--channel NAME]...
      [--expect-deny NAME]... [--header 'Name: value']... [--cookie 'a=b'] [--param k=v]... [--jsonp] [--user-auth] [--json]
  Calls an auth endpoint as pusher-js does and checks each answer against the protocol.`,
  trigger: `pushwire trigger --channel C [--channel C2]... --event E [--data JSON] [--socket-id ID] [TARGET]
  Publishes an event through the HTTP API.`,
  channels: `pushwire channels [--prefix P] [--info user_count,subscription_count] [TARGET]
  Lists the occupied channels.`,
  users: `pushwire users CHANNEL [TARGET]
  Lists the users of a presence channel.`,
  webhooks: `pushwire webhooks dead-letters [TARGET] | pushwire webhooks redeliver ID [TARGET]
  Lists the webhooks whose retries ran out (newest first), or queues one again.`,
} as const;

export const TARGET_USAGE = `TARGET: --url pushwire://KEY:SECRET@HOST:PORT/apps/APP_ID (https://… for TLS), or
  --app APP_ID --key KEY --secret SECRET [--host HOST] [--port PORT] [--tls]
  (default host 127.0.0.1:6001, Pushwire's default app: id 1, key app-key, secret app-secret).
Exit codes: 0 when all holds, 1 when a check fails or the server refuses, 2 for bad usage or an
unreachable server.`;

export function toolsUsage(): string {
  return `${Object.values(TOOL_USAGE).join('\n')}\n${TARGET_USAGE}`;
}
