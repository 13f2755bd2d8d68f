import { describe, expect, it } from 'vitest';
import { loadVectors } from '../../test/helpers/vectors.ts';
import {
  channelNameProblem,
  eventNameProblem,
  isValidSocketId,
  isValidUserId,
  utf8Length,
} from './names.ts';

const validation = loadVectors().sdk_input_validation;
/** The official SDK allows channel names up to 200 characters. */
const SDK_MAX_CHANNEL = 200;

describe('isValidSocketId (vectors sdk_input_validation)', () => {
  for (const { value, sdk_accepts: accepts } of validation.filter((v) => v.what === 'socket_id')) {
    it(`${accepts ? 'accepts' : 'rejects'} ${JSON.stringify(value)} as the SDK does`, () => {
      expect(isValidSocketId(value)).toBe(accepts);
    });
  }

  it('rejects non-strings', () => {
    expect(isValidSocketId(1.2)).toBe(false);
    expect(isValidSocketId(undefined)).toBe(false);
  });
});

describe('channelNameProblem (vectors sdk_input_validation)', () => {
  for (const { value, sdk_accepts: accepts } of validation.filter(
    (v) => v.what === 'channel_name',
  )) {
    const name = value as string;
    it(`${accepts ? 'accepts' : 'rejects'} ${JSON.stringify(name.slice(0, 30))} (${name.length} chars) as the SDK does`, () => {
      // The SDK never accepts #server-to-user- names as channel names; the socket side does.
      const problem = channelNameProblem(name, SDK_MAX_CHANNEL, false);
      expect(problem === null).toBe(accepts);
    });
  }
});

describe('channelNameProblem', () => {
  it('accepts a name of exactly the maximum length', () => {
    expect(channelNameProblem('a'.repeat(164), 164)).toBeNull();
  });

  it('rejects a name one character over the maximum length ([U] default 164, §16.6)', () => {
    expect(channelNameProblem('a'.repeat(165), 164)).toBe(
      'channel name is longer than 164 characters',
    );
  });

  it.each([
    ['empty', ''],
    ['a number', 42],
    ['null', null],
  ])('rejects a channel name that is %s', (_what, name) => {
    expect(channelNameProblem(name, 164)).toBe('channel name must be a non-empty string');
  });

  it.each(['a b', 'a#b', 'a/b', 'a:b', 'ü', 'a\nb', 'a*b', '#watchlist-42'])(
    'rejects the character set violation in %j',
    (name) => {
      expect(channelNameProblem(name, 164)).toMatch(/may contain only/);
    },
  );

  it('accepts #server-to-user-<id> on the socket side (§5.2)', () => {
    expect(channelNameProblem('#server-to-user-42', 164)).toBeNull();
  });

  it('rejects #server-to-user- with an empty or invalid user id', () => {
    expect(channelNameProblem('#server-to-user-', 164)).not.toBeNull();
    expect(channelNameProblem('#server-to-user-a b', 164)).not.toBeNull();
  });

  it('rejects #server-to-user- names when they are not allowed', () => {
    expect(channelNameProblem('#server-to-user-42', 164, false)).not.toBeNull();
  });
});

describe('eventNameProblem', () => {
  it('accepts a name of 200 characters (the SDK limit)', () => {
    expect(eventNameProblem('e'.repeat(200), 200)).toBeNull();
  });

  it('rejects a name of 201 characters', () => {
    expect(eventNameProblem('e'.repeat(201), 200)).toMatch(/longer than 200/);
  });

  it('rejects an empty or non-string name', () => {
    expect(eventNameProblem('', 200)).not.toBeNull();
    expect(eventNameProblem(undefined, 200)).not.toBeNull();
  });
});

describe('isValidUserId', () => {
  it.each(['x', '42', 'a_b-c=d@e,f.g;h', 'u'.repeat(128)])('accepts %j', (id) => {
    expect(isValidUserId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['129 chars', 'u'.repeat(129)],
    ['a space', 'a b'],
    ['a number', 42],
    ['#', 'a#b'],
  ])('rejects a user id with %s', (_what, id) => {
    expect(isValidUserId(id)).toBe(false);
  });
});

describe('utf8Length', () => {
  it.each([
    ['ASCII', 'hello'],
    ['two-byte characters', 'Zoë Ågren'],
    ['three-byte characters', '東京'],
    ['a surrogate pair', '😀'],
    ['a lone low surrogate', 'a\udc00b'],
    ['a lone high surrogate at the end', 'a\ud800'],
    ['a lone high surrogate before ASCII', '\ud800a'],
    ['a lone high surrogate before a three-byte character', '\ud800東'],
    ['two lone high surrogates', '\ud800\ud800'],
  ])('counts the bytes Buffer would send for %s', (_what, text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});
