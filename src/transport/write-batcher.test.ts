import { createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle, waitUntil } from '../../test/helpers/wait.ts';
import { WriteBatcher, type Corkable } from './write-batcher.ts';

interface Pair {
  /** The accepted end, which the batcher writes to. */
  readonly target: Corkable;
  /** What the other end has read so far. */
  received(): string;
}

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** `count` connected TCP socket pairs on 127.0.0.1. */
async function pairs(count: number): Promise<Pair[]> {
  const accepted: Socket[] = [];
  server = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const result: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const client = new Socket();
    let text = '';
    client.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise<void>((resolve) => client.connect(port, '127.0.0.1', resolve));
    while (accepted.length <= i) await new Promise((resolve) => setTimeout(resolve, 1));
    sockets.push(client, accepted[i]!);
    result.push({
      target: { held: undefined, heldBytes: 0, socket: accepted[i]! },
      received: () => text,
    });
  }
  return result;
}

/** Counts the write syscalls (write or writev) made on the batcher's sockets. */
function countWrites(): { count: number } {
  const counter = { count: 0 };
  const proto = Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const original = proto._writeGeneric;
  vi.spyOn(proto, '_writeGeneric').mockImplementation(function (this: Socket, ...args) {
    counter.count++;
    return original.apply(this, args);
  });
  return counter;
}

describe('WriteBatcher', () => {
  it('sends the frames a socket gets within one turn in one write, in order', async () => {
    const [pair] = await pairs(1);
    const flushed: number[] = [];
    const batcher = new WriteBatcher((frames) => flushed.push(frames));
    const writes = countWrites();
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    for (const text of ['a', 'b', 'c']) batcher.write(pair!.target, Buffer.from(text));
    expect(writes.count).toBe(0);
    // One flush scheduled for the turn, however many frames it holds.
    expect(immediate).toHaveBeenCalledTimes(1);
    immediate.mockRestore();
    await settle();
    expect(writes.count).toBe(1);
    expect(flushed).toEqual([3]);
    expect(pair!.target.socket.writableCorked).toBe(0);
    await waitUntil(() => pair!.received() === 'abc', 'the frames at the other end');
    expect(pair!.received()).toBe('abc');
  });

  it('flushes every socket within the turn once it holds maxFrames frames', async () => {
    const [first, second] = await pairs(2);
    const flushed: number[] = [];
    const batcher = new WriteBatcher((frames) => flushed.push(frames), {
      maxFrames: 4,
      maxBytes: 1 << 20,
    });
    const writes = countWrites();
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    batcher.write(first!.target, Buffer.from('1'));
    batcher.write(second!.target, Buffer.from('2'));
    batcher.write(first!.target, Buffer.from('3'));
    expect(writes.count).toBe(0);
    batcher.write(second!.target, Buffer.from('4'));
    // The fourth frame reached the bound: both sockets went to the kernel, in this same turn.
    expect(writes.count).toBe(2);
    expect(flushed).toEqual([4]);
    expect(first!.target.held).toBeUndefined();
    batcher.write(first!.target, Buffer.from('5'));
    expect(writes.count).toBe(2);
    // Still one end-of-turn flush scheduled, not one more after the flush within the turn.
    expect(immediate).toHaveBeenCalledTimes(1);
    immediate.mockRestore();
    await settle();
    expect(writes.count).toBe(3);
    expect(flushed).toEqual([4, 1]);
    // Nothing stays corked once the turn is over, on either socket.
    expect(first!.target.socket.writableCorked).toBe(0);
    expect(second!.target.socket.writableCorked).toBe(0);
    await waitUntil(
      () => first!.received() === '135' && second!.received() === '24',
      'the frames at the other end',
    );
    expect([first!.received(), second!.received()]).toEqual(['135', '24']);
  });

  it('flushes within the turn once it holds maxBytes bytes', async () => {
    const [pair] = await pairs(1);
    const batcher = new WriteBatcher(() => {}, { maxFrames: 1000, maxBytes: 10 });
    const writes = countWrites();
    batcher.write(pair!.target, Buffer.alloc(6, 'x'));
    expect(writes.count).toBe(0);
    batcher.write(pair!.target, Buffer.alloc(6, 'y'));
    expect(writes.count).toBe(1);
    await settle();
    // Nothing was left to flush at the end of the turn.
    expect(writes.count).toBe(1);
    await waitUntil(() => pair!.received().length === 12, 'the frames at the other end');
    expect(pair!.received()).toBe('xxxxxxyyyyyy');
  });

  it('keeps a socket that ended meanwhile out of harm: the rest still flush', async () => {
    const [gone, open] = await pairs(2);
    const flushed: number[] = [];
    const batcher = new WriteBatcher((frames) => flushed.push(frames));
    batcher.write(gone!.target, Buffer.from('lost'));
    batcher.write(open!.target, Buffer.from('kept'));
    gone!.target.socket.destroy();
    await settle();
    // Only what reached a socket is counted as sent.
    expect(flushed).toEqual([1]);
    expect(gone!.target.held).toBeUndefined();
    await waitUntil(() => open!.received() === 'kept', 'the frames at the other end');
    expect(open!.received()).toBe('kept');
    // The batcher goes on serving the socket that is still open.
    batcher.write(open!.target, Buffer.from('!'));
    await waitUntil(() => open!.received() === 'kept!', 'the frames at the other end');
    expect(open!.received()).toBe('kept!');
  });

  it('writes the one frame a socket got in a turn as a plain write, never corking the socket', async () => {
    const [pair] = await pairs(1);
    const batcher = new WriteBatcher(() => {});
    const writes = countWrites();
    const cork = vi.spyOn(pair!.target.socket, 'cork');
    batcher.write(pair!.target, Buffer.from('one'));
    expect(writes.count).toBe(0);
    await settle();
    expect(writes.count).toBe(1);
    expect(cork).not.toHaveBeenCalled();
    await waitUntil(() => pair!.received() === 'one', 'the frame at the other end');
  });

  it('writes what a socket holds at once when asked (before a close), and nothing twice', async () => {
    const [pair] = await pairs(1);
    const flushed: number[] = [];
    const batcher = new WriteBatcher((frames) => flushed.push(frames));
    const writes = countWrites();
    batcher.write(pair!.target, Buffer.from('a'));
    batcher.write(pair!.target, Buffer.from('b'));
    batcher.flushNow(pair!.target);
    expect(writes.count).toBe(1);
    expect(pair!.target.held).toBeUndefined();
    batcher.flushNow(pair!.target);
    expect(writes.count).toBe(1);
    await settle();
    expect(writes.count).toBe(1);
    // Counted once, at the end of the turn, with the rest of the turn's frames.
    expect(flushed).toEqual([2]);
    await waitUntil(() => pair!.received() === 'ab', 'the frames at the other end');
  });

  it('drops what it holds for a connection that began closing: no frame after a close frame', async () => {
    const [closing, open] = await pairs(2);
    const state = { writable: true };
    const target = {
      held: undefined,
      heldBytes: 0,
      socket: closing!.target.socket,
      get writable() {
        return state.writable;
      },
    };
    const batcher = new WriteBatcher(() => {});
    batcher.write(target, Buffer.from('late'));
    batcher.write(open!.target, Buffer.from('kept'));
    state.writable = false;
    closing!.target.socket.write('close');
    await settle();
    await waitUntil(() => open!.received() === 'kept', 'the frames at the other end');
    await waitUntil(() => closing!.received() === 'close', 'the close at the other end');
    await settle();
    expect(closing!.received()).toBe('close');
  });
});
