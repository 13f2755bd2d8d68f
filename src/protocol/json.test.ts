import { describe, expect, it } from 'vitest';
import { decodeJsonObject, nestsDeeperThan, parseJson } from './json.ts';

describe('nestsDeeperThan', () => {
  it.each([
    ['[]', 1, false],
    ['[[]]', 1, true],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":{"b":[1]}}', 2, true],
    ['[{}, [], {"a": [[]]}]', 4, false],
    ['[{}, [], {"a": [[]]}]', 3, true],
    ['["[[[[", "\\"[[[["]', 1, false],
    ['"[[[["', 0, false],
  ])('%s deeper than %i: %s', (text, max, expected) => {
    expect(nestsDeeperThan(JSON.parse(text), max)).toBe(expected);
  });

  it('walks 100,000 levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(nestsDeeperThan(deep, 100_000)).toBe(false);
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

describe('parseJson at the depth bound', () => {
  it('refuses the shortest text nested 65 deep and takes 64 levels', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(nested(65)).toHaveLength(130);
    expect(parseJson(nested(65))).toEqual({
      ok: false,
      problem: 'is nested more than 64 levels deep',
    });
    expect(parseJson(nested(64)).ok).toBe(true);
    expect(parseJson(`{"a":${nested(64)}}`)).toEqual({
      ok: false,
      problem: 'is nested more than 64 levels deep',
    });
  });
});

describe('nestsDeeperThan, shallow values', () => {
  it.each([
    ['{"a":{"b":{"c":{}}}}', 4, false],
    ['{"a":{"b":{"c":{"d":[]}}}}', 4, true],
    ['{"a":{"b":{"c":{"d":[]}}}}', 5, false],
    ['[1,"x",null,{"a":[[]]}]', 4, false],
    ['[1,"x",null,{"a":[[[]]]}]', 4, true],
  ])('%s deeper than %i: %s', (text, max, expected) => {
    expect(nestsDeeperThan(JSON.parse(text), max)).toBe(expected);
  });
});
