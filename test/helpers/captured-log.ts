/** A real pino logger whose JSON lines are kept in memory, so tests read what was logged. */
import { createLogger, type Logger } from '../../src/observability/logger.ts';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface CapturedLog {
  readonly logger: Logger;
  /** Every line so far, parsed. */
  lines(): LogLine[];
  /** Every line so far, as written: what a secret must never appear in. */
  text(): string;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function captureLog(level = 'info'): CapturedLog {
  let text = '';
  const logger = createLogger(level, { write: (chunk: string) => void (text += chunk) });
  return {
    logger,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
    text: () => text,
  };
}
