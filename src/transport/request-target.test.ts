import { describe, expect, it } from 'vitest';
import { requestTarget } from './request-target.ts';

describe('requestTarget', () => {
  it.each([
    ['/apps/1/events?auth_key=k', '/apps/1/events', '?auth_key=k'],
    ['//%', '//%', ''],
    ['//evil/apps/1/channels', '//evil/apps/1/channels', ''],
    ['http://pushwire.example/apps/1/channels?x=1', '/apps/1/channels', '?x=1'],
  ])('reads %s as path %s', (target, pathname, search) => {
    expect(requestTarget(target)).toMatchObject({ pathname, search });
  });

  it.each(['*', 'not a url', 'http://[::1'])('finds no target in %s', (target) => {
    expect(requestTarget(target)).toBeUndefined();
  });
});
