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
