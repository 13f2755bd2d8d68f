/** The pino logger. Secrets are redacted wherever they could appear in a logged object. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
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
  });
}
