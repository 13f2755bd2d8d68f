import { describe, expect, it } from 'vitest';
import { decodeJsonObject, nestsDeeperThan } from './json.ts';

describe('nestsDeeperThan', () => {
  it.each([
    ['[]', 1, false],
    ['[[]]', 1, true],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":{"b":[1]}}', 2, true],
    ['["[[[[", "\\"[[[["]', 1, false],
  ])('%s deeper than %i: %s', (text, max, expected) => {
    expect(nestsDeeperThan(text, max)).toBe(expected);
  });
});

describe('decodeJsonObject', () => {
  it('refuses channel_data, user_data or a body nested past 64 levels', () => {
    const text = `{"user_info":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(decodeJsonObject(text)).toEqual({
      ok: false,
      problem: 'is nested more than 64 levels deep',
    });
  });
});
