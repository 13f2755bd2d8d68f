/**
 * Faults for the node process this is loaded into (`--import`, tests only, never part of src/),
 * acting on what the node writes to Redis on port `PUSHWIRE_TEST_FAULT_REDIS_PORT`. A word in
 * the command (an event name the test publishes) picks the fault:
 * - `stalled-`: the event loop is held for 1.2 s right after the write, as a node writing
 *   50,000 frames holds it. Redis answers within a millisecond; its reply waits in the socket
 *   while the command's 800 ms timeout falls due.
 * - `dropped-`: the connection is closed right after the write. Redis runs the command; its
 *   reply is lost.
 * - `lost-`: the write never leaves the node, and the connection is closed. Redis never runs it.
 */
import net from 'node:net';

const STALL_MS = 1_200;

const redisPort = Number(process.env.PUSHWIRE_TEST_FAULT_REDIS_PORT ?? '0');

/** Blocks the thread, as synchronous work does, without spinning a shared core. */
const hold = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (redisPort > 0) {
  const write = net.Socket.prototype.write as (this: net.Socket, ...args: unknown[]) => boolean;
  net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]) {
    const text = this.remotePort === redisPort ? String(args[0]) : '';
    if (text.includes('lost-')) {
      this.destroy();
      return true;
    }
    const written = write.apply(this, args);
    if (text.includes('stalled-')) queueMicrotask(() => hold(STALL_MS));
    if (text.includes('dropped-')) queueMicrotask(() => this.destroy());
    return written;
  } as typeof net.Socket.prototype.write;
}
