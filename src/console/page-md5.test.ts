import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MD5_JS } from './page-md5.ts';

const md5Hex = runInNewContext(`${MD5_JS}; md5Hex`, { TextEncoder }) as (text: string) => string;
const nodeMd5 = (text: string) => createHash('md5').update(text).digest('hex');

describe("the console page's md5Hex", () => {
  it('agrees with node:crypto on RFC 1321 vectors and block boundaries', () => {
    for (const text of ['', 'a', 'abc', 'message digest', 'x'.repeat(55), 'x'.repeat(56), 'é😀'])
      expect(md5Hex(text)).toBe(nodeMd5(text));
  });

  it('agrees with node:crypto on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(md5Hex(text)).toBe(nodeMd5(text));
      }),
    );
  });
});
