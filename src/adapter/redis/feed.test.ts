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

  it('hands back the member events older than what the channel got, for sockets joining late', () => {
    // A second local join, whose script ran after 6 was logged, registered first: 6 arrives
    // after the channel moved past it, and a socket whose script ran before 6 still needs it.
    const delivered: string[] = [];
    const late: string[] = [];
    const feed = new Feed(
      (m) => delivered.push(m.id),
      (m) => late.push(m.id),
    );
    feed.follow(KEY, '7-0');
    feed.apply(message('6-0', 1), KEY);
    feed.apply(message('5-0'), KEY);
    feed.apply(message('8-0', 1), KEY);
    expect({ delivered, late }).toEqual({ delivered: ['8-0'], late: ['6-0'] });
  });

  it('tells which of some ids the channel could still deliver (beyond its last id)', () => {
    const feed = new Feed(() => undefined);
    feed.follow(KEY, '5-0');
    feed.apply(message('6-0'), KEY);
    expect([...feed.ahead(KEY, new Set(['4-0', '6-0', '7-0', '9-1']))]).toEqual(['7-0', '9-1']);
  });
});
