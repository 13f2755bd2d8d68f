/** The pino logger. Secrets are redacted wherever they could appear in a logged object. */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** JSON lines to stdout, or to `destination` (tests read the log from there). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'pushwire' },
    redact: {
      paths: [
        'secret',
        '*.secret',
        'apps[*].secret',
        'config.apps[*].secret',
        'auth',
        '*.auth',
        'appStore.url',
        'config.appStore.url',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
