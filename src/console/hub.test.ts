import { describe, expect, it } from 'vitest';
import { ConsoleHub, MAX_ENTRIES_PER_SECOND, maskSignatures } from './hub.ts';

const AT = Date.UTC(2026, 10, 27, 12, 0, 0);
const occupied = (appId: string) => ({ name: 'channel_occupied' as const, appId, channel: 'c' });

describe('ConsoleHub', () => {
  it("hands an app's entries to its watchers as JSON lines, stamped and without the app id", () => {
    const hub = new ConsoleHub(() => AT);
    const lines: string[] = [];
    hub.watch('a', (line) => lines.push(line));
    hub.publish(occupied('a'));
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { at: '2026-11-27T12:00:00.000Z', name: 'channel_occupied', channel: 'c' },
    ]);
  });

  it("keeps one app's entries from another app's watchers", () => {
    const hub = new ConsoleHub();
    const lines: string[] = [];
    hub.watch('a', (line) => lines.push(line));
    hub.publish(occupied('b'));
    expect(lines).toEqual([]);
  });

  it('serializes an entry once for all its watchers', () => {
    const hub = new ConsoleHub();
    const seen: string[] = [];
    hub.watch('a', (line) => seen.push(line));
    hub.watch('a', (line) => seen.push(line));
    hub.publish(occupied('a'));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });

  it('says an app is watched only while someone watches it', () => {
    const hub = new ConsoleHub();
    const stop = hub.watch('a', () => undefined);
    expect(hub.watching('a')).toBe(true);
    stop();
    expect(hub.watching('a')).toBe(false);
  });

  it('skips what comes past the cap, and reports how many when asked', () => {
    let now = AT;
    const hub = new ConsoleHub(() => now);
    const lines: string[] = [];
    hub.watch('a', (line) => lines.push(line));
    for (let i = 0; i < MAX_ENTRIES_PER_SECOND + 5; i++) hub.publish(occupied('a'));
    expect(lines).toHaveLength(MAX_ENTRIES_PER_SECOND);
    hub.reportCapped('a');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      name: 'capped',
      count: 5,
      limit: MAX_ENTRIES_PER_SECOND,
    });
    hub.reportCapped('a');
    expect(lines).toHaveLength(MAX_ENTRIES_PER_SECOND + 1);
    now += 1000;
    hub.publish(occupied('a'));
    expect(lines).toHaveLength(MAX_ENTRIES_PER_SECOND + 2);
  });

  it('masks a signature in a refusal', () => {
    const signature = 'f'.repeat(64);
    expect(maskSignatures(`Invalid signature: got ${signature}`)).toBe(
      'Invalid signature: got [signature]',
    );
  });

  describe('across nodes', () => {
    it("relays the entries of an app another node watches, and only that app's", () => {
      const hub = new ConsoleHub(() => AT);
      const relayed: string[] = [];
      hub.relayTo(['a'], (appId, line) => relayed.push(`${appId} ${line}`));
      expect(hub.watching('a')).toBe(true);
      hub.publish(occupied('a'));
      hub.publish(occupied('b'));
      expect(relayed).toEqual([
        'a {"at":"2026-11-27T12:00:00.000Z","name":"channel_occupied","channel":"c"}',
      ]);
      hub.relayTo([], () => undefined);
      expect(hub.watching('a')).toBe(false);
    });

    it("hands another node's lines to this node's watchers, under the same cap", () => {
      const hub = new ConsoleHub(() => AT);
      const lines: string[] = [];
      hub.receive('a', 'unwatched');
      hub.watch('a', (line) => lines.push(line));
      for (let i = 0; i < MAX_ENTRIES_PER_SECOND + 5; i++) hub.receive('a', `line ${i}`);
      expect(lines).toHaveLength(MAX_ENTRIES_PER_SECOND);
      hub.reportCapped('a');
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ name: 'capped', count: 5 });
    });

    it('tells the relay when the apps watched here change', () => {
      const hub = new ConsoleHub();
      let changes = 0;
      hub.onWatchedChange = () => changes++;
      const stop = hub.watch('a', () => undefined);
      hub.watch('a', () => undefined);
      stop();
      expect([changes, hub.watchedApps()]).toEqual([1, ['a']]);
    });
  });
});
