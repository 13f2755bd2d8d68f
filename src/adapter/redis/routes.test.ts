import { describe, expect, it } from 'vitest';
import { Routes, type RouteLink } from './routes.ts';

/** A link that records each command and answers when told to. */
class RecordingLink implements RouteLink {
  readonly commands: Array<[string, string[]]> = [];
  down = false;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  pause(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }
  resume(): void {
    this.#open();
  }

  async subscribe(names: readonly string[]): Promise<void> {
    this.commands.push(['subscribe', [...names]]);
    await this.#gate;
    if (this.down) throw new Error('down');
  }
  async unsubscribe(names: readonly string[]): Promise<void> {
    this.commands.push(['unsubscribe', [...names]]);
    await this.#gate;
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('routes', () => {
  it('subscribes a storm of joins in one command, once each', async () => {
    const link = new RecordingLink();
    const routes = new Routes(link, () => false);
    const names = Array.from({ length: 300 }, (_, i) => `ch-${i % 100}`);
    await Promise.all(names.map((name) => routes.hold(name)));
    expect(link.commands).toHaveLength(1);
    expect(link.commands[0]![1]).toHaveLength(100);
    expect(routes.size).toBe(100);
  });

  it('unsubscribes, batched, once nothing holds a channel', async () => {
    const link = new RecordingLink();
    const held = new Set(['a', 'b']);
    const routes = new Routes(link, (name) => held.has(name));
    await Promise.all([routes.hold('a'), routes.hold('b'), routes.hold('c')]);
    for (const name of ['a', 'b', 'c']) routes.unhold(name);
    await turn();
    expect(link.commands.at(-1)).toEqual(['unsubscribe', ['c']]);
    held.clear();
    routes.touch('a');
    routes.touch('b');
    await turn();
    expect(link.commands.at(-1)).toEqual(['unsubscribe', ['a', 'b']]);
    expect(routes.size).toBe(0);
  });

  it('keeps a channel left and joined again within one turn, sending nothing', async () => {
    const link = new RecordingLink();
    const routes = new Routes(link, () => false);
    await routes.hold('a');
    routes.unhold('a');
    const again = routes.hold('a');
    await again;
    await turn();
    expect(link.commands).toEqual([['subscribe', ['a']]]);
    expect(routes.has('a')).toBe(true);
  });

  it('subscribes again a channel joined while its unsubscribe was in flight', async () => {
    const link = new RecordingLink();
    const routes = new Routes(link, () => false);
    await routes.hold('a');
    routes.unhold('a');
    link.pause();
    await turn();
    expect(link.commands.at(-1)).toEqual(['unsubscribe', ['a']]);
    let joined = false;
    const again = routes.hold('a').then(() => (joined = true));
    await turn();
    expect(joined).toBe(false);
    link.resume();
    await again;
    expect(link.commands.at(-1)).toEqual(['subscribe', ['a']]);
    expect(routes.has('a')).toBe(true);
  });

  it('holds a join while the link is down and lets it go on after the resubscription', async () => {
    const link = new RecordingLink();
    const routes = new Routes(link, () => false);
    link.down = true;
    let joined = false;
    const pending = routes.hold('a').then(() => (joined = true));
    await turn();
    await turn();
    expect(joined).toBe(false);
    link.down = false;
    await routes.resubscribe([]);
    await pending;
    expect(routes.has('a')).toBe(true);
  });
});
