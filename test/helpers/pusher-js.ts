/**
 * The real pusher-js client, Node build. Its package is CommonJS whose `module.exports` is the
 * class itself, while its typings declare an ES default export that NodeNext reads as a
 * namespace; so it is loaded with `require` and typed from the declaration files explicitly.
 */
import { createRequire } from 'node:module';
import type * as ChannelModule from 'pusher-js/types/src/core/channels/channel.js';
import type * as PresenceModule from 'pusher-js/types/src/core/channels/presence_channel.js';
import type * as OptionsModule from 'pusher-js/types/src/core/options.js';
import type * as PusherModule from 'pusher-js/types/src/core/pusher.js';

export type PusherClient = InstanceType<typeof PusherModule.default.default>;
export type Channel = InstanceType<typeof ChannelModule.default.default>;
export type PresenceChannel = InstanceType<typeof PresenceModule.default.default>;
export type PusherOptions = OptionsModule.Options;

export const Pusher = createRequire(import.meta.url)(
  'pusher-js',
) as typeof PusherModule.default.default;

/** The transport the protocol suites run over: `PUSHWIRE_TEST_TRANSPORT` (default `ws`). */
export type TestTransport = 'ws' | 'xhr_streaming' | 'xhr_polling';

export function testTransport(): TestTransport {
  const name = process.env.PUSHWIRE_TEST_TRANSPORT ?? 'ws';
  if (name === 'ws' || name === 'xhr_streaming' || name === 'xhr_polling') return name;
  throw new Error(`PUSHWIRE_TEST_TRANSPORT=${name}: expected ws, xhr_streaming or xhr_polling`);
}

/** pusher-js options that connect to 127.0.0.1:`port` over `transport` and nothing else. */
export function transportOptions(
  port: number,
  transport: TestTransport = testTransport(),
): Partial<PusherOptions> {
  return {
    wsHost: '127.0.0.1',
    wsPort: port,
    httpHost: '127.0.0.1',
    httpPort: port,
    forceTLS: false,
    enabledTransports: [transport],
  };
}
