/**
 * The embedded default app's secret is public (it is in the README and the banner), so whoever
 * reaches the port can sign as it: publish to every channel, join private and presence channels,
 * sign in as anyone. On loopback only this machine can; on any other address the server says so,
 * loudly, in the banner and the log. It does not refuse: inside a container 0.0.0.0 is the only
 * address a published port reaches, and trying Pushwire from a phone on the LAN is a fair use.
 */
import { DEFAULT_APP, type AppConfig, type Config } from '../config/schema.ts';

export const isPublicDefaultApp = (app: AppConfig): boolean =>
  app.key === DEFAULT_APP.key && app.secret === DEFAULT_APP.secret;

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback, as `server.address()` reports them. */
export function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return /^127\./.test(bare) || bare === '::1' || /^::ffff:127\./.test(bare);
}

/** Whether the app with the public secret is served on an address others can reach. */
export function exposesPublicDefaultApp(config: Config, address: string): boolean {
  return !isLoopback(address) && config.apps.some(isPublicDefaultApp);
}

export const PUBLIC_DEFAULT_APP_WARNING =
  'the default app (key app-key, secret app-secret) is served on a non-loopback address: its ' +
  'secret is public, so anyone who reaches this port can publish, join private and presence ' +
  'channels and sign in as any user. Configure your own apps (PUSHWIRE_APPS or "apps" in the ' +
  'config file), or listen on 127.0.0.1.';
