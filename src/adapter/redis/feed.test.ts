import { describe, expect, it } from 'vitest';
import { Feed, type BusMessage } from './feed.ts';

const KEY = '1\npresence-room';

const message = (id: string, version = 0): BusMessage => ({
  id,
  node: 'n',
  app: '1',
  channel: 'presence-room',
  except: '',
  version,
  frame: `{"event":"e${id}"}`,
});

describe('Feed', () => {
  it('delivers each log id once, in order, from where the channel was followed', () => {
    const delivered: string[] = [];
    const feed = new Feed((m) => delivered.push(m.id));
    feed.follow(KEY, '5-0');
    for (const id of ['4-0', '5-0', '6-0', '6-0', '7-0']) feed.apply(message(id), KEY);
    expect(delivered).toEqual(['6-0', '7-0']);
  });

  it('keeps delivering what a later join skipped: the bus is ahead of no one already here', () => {
    // Socket 1 joined at log id 5; a second local join's script ran after 6 and 7 were logged,
    // but the bus has not brought them yet. Socket 1 still needs them (issue #10 case 5).
    const delivered: string[] = [];
    const feed = new Feed((m) => delivered.push(m.id));
    feed.follow(KEY, '5-0');
    feed.follow(KEY, '7-0');
    for (const id of ['6-0', '7-0', '8-0']) feed.apply(message(id, 1), KEY);
    expect(delivered).toEqual(['6-0', '7-0', '8-0']);
  });
});
