/** What `pushwire start` prints: where to connect, with what, and a snippet that does it. */
import type { AppConfig } from '../config/schema.ts';
import {
  PUBLIC_DEFAULT_APP_WARNING,
  exposesPublicDefaultApp,
  isPublicDefaultApp,
} from '../server/exposure.ts';
import type { RunningServer } from '../server/server.ts';

/**
 * The embedded default app's secret is public (it is in the README), so it is shown to get a
 * newcomer going; a configured secret is never printed: stdout is often a shared log.
 */
const printableSecret = (app: AppConfig): string =>
  isPublicDefaultApp(app) ? app.secret : '<your secret>';

/** A box no one scrolls past: the warning, wrapped to the box. */
function warningBox(text: string): string[] {
  const width = 76;
  const lines: string[] = [];
  let line = '';
  for (const word of `WARNING: ${text}`.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  const rule = `  +${'-'.repeat(width + 2)}+`;
  return ['', rule, ...lines.map((l) => `  | ${l.padEnd(width)} |`), rule];
}

/** Only the metrics port is shown: /metrics on the client port needs no saying. */
const metricsLine = (server: RunningServer): string[] =>
  server.metricsUrl ? [`  Metrics:    ${server.metricsUrl} (its own port)`] : [];

export function banner(server: RunningServer): string {
  const store = server.config.appStore;
  if (store.type === 'postgres') {
    const count = server.apps.all().length;
    return (
      [
        '',
        `Pushwire is listening on ${server.wsUrl}`,
        '',
        `  Apps:       ${count} from PostgreSQL table "${store.table}", followed as it changes`,
        `  WebSocket:  ${server.wsUrl}/app/{key}?protocol=7`,
        `  HTTP API:   ${server.httpUrl}/apps/{id}/events`,
        ...(server.config.console ? [`  Console:    ${server.httpUrl}/console`] : []),
        ...metricsLine(server),
        '',
      ].join('\n') + '\n'
    );
  }
  const app = server.config.apps[0];
  if (!app) return '';
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  // Serving TLS: the snippets connect with wss and https on the same port.
  const tls = server.tls === true;
  const lines = [
    ...(exposesPublicDefaultApp(server.config, server.host)
      ? warningBox(PUBLIC_DEFAULT_APP_WARNING)
      : []),
    '',
    `Pushwire is listening on ${server.wsUrl}`,
    '',
    `  WebSocket:  ${server.wsUrl}/app/${app.key}?protocol=7`,
    `  HTTP API:   ${server.httpUrl}/apps/${app.id}/events`,
    `  App:        id=${app.id}  key=${app.key}  secret=${printableSecret(app)}`,
    ...(server.config.console ? [`  Console:    ${server.httpUrl}/console`] : []),
    ...metricsLine(server),
    ...(server.config.apps.length > 1
      ? [`  (+${server.config.apps.length - 1} more apps from the configuration)`]
      : []),
    '',
    "Connect with pusher-js (WebSocket only: it never falls back to Pusher's own servers):",
    '',
    `  const pusher = new Pusher('${app.key}', {`,
    `    cluster: 'local', wsHost: '${host}', ${tls ? 'wssPort' : 'wsPort'}: ${server.port},`,
    `    forceTLS: ${tls}, enabledTransports: ['ws'],`,
    '  });',
    `  pusher.subscribe('my-channel').bind('my-event', (data) => console.log(data));`,
    '',
    ...(server.config.httpFallback
      ? [
          'Or with the HTTP fallback to this server, for clients whose proxy blocks WebSockets:',
          '',
          `  const pusher = new Pusher('${app.key}', {`,
          `    cluster: 'local', wsHost: '${host}', ${tls ? 'wssPort' : 'wsPort'}: ${server.port},`,
          `    httpHost: '${host}', ${tls ? 'httpsPort' : 'httpPort'}: ${server.port}, forceTLS: ${tls},`,
          `    enabledTransports: ['ws', 'xhr_streaming', 'xhr_polling'],`,
          '  });',
          '',
        ]
      : []),
    'Publish with the pusher SDK:',
    '',
    `  new Pusher({ appId: '${app.id}', key: '${app.key}', secret: '${printableSecret(app)}',`,
    `    host: '${host}', port: '${server.port}', useTLS: ${tls} })`,
    `    .trigger('my-channel', 'my-event', { hello: 'world' });`,
    '',
  ];
  return lines.join('\n') + '\n';
}
