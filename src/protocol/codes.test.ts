import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isCloseCode } from './codes.ts';

const documented = [
  ...readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').matchAll(
    /^\| (\d{4}) +\| (\w+) +\|/gm,
  ),
].map(([, code, name]) => [name, Number(code)]);

describe('error codes', () => {
  it('are exactly the codes listed in docs/errors.md', () => {
    expect(documented).toEqual(Object.entries(ErrorCode));
  });

  it('never uses a code of 4300 or more to close a socket', () => {
    expect(isCloseCode(ErrorCode.ClientEventRateLimit)).toBe(false);
    expect(isCloseCode(ErrorCode.WatchlistLimit)).toBe(false);
    expect(isCloseCode(ErrorCode.ReconnectNow)).toBe(true);
  });
});
