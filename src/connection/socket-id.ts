import { randomInt } from 'node:crypto';

/**
 * A fresh socket id: two random decimal integers joined by a dot, matching `^\d+\.\d+$` as the
 * official SDK demands (§1.4). 2×31 random bits make a collision between live sockets of one app
 * negligible even across nodes; `isTaken` rules out the local ones entirely.
 */
export function newSocketId(isTaken: (id: string) => boolean = () => false): string {
  for (;;) {
    const id = `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;
    if (!isTaken(id)) return id;
  }
}
