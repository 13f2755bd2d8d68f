/** The embeddable server: the public API of the `pushwire` package. */
export { startServer, type RunningServer, type ServerOptions } from './server/server.ts';
export { loadConfig, resolveConfig } from './config/load.ts';
export { DEFAULT_APP, type AppConfig, type Config, type ConfigInput } from './config/schema.ts';
export type {
  Adapter,
  Subscriber,
  PresenceMember,
  JoinOutcome,
  LeaveOutcome,
} from './adapter/adapter.ts';
export { LocalAdapter } from './adapter/local.ts';
export type { AppStore } from './apps/app-store.ts';
export { StaticAppStore } from './apps/app-store.ts';
export type { ChannelEvent, ChannelEventSink } from './channels/channel-events.ts';
export { ErrorCode } from './protocol/codes.ts';
export { PushwireError, ConfigError } from './errors.ts';
