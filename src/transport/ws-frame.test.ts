import * as ws from 'ws';
import { describe, expect, it } from 'vitest';
import { encodeTextFrame } from './ws-frame.ts';

/** `ws` exports its Sender at run time; @types/ws does not declare it. */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** What `ws` itself would put on the wire for an unmasked final text frame. */
const wsFrame = (payload: Buffer) =>
  Buffer.concat(
    Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }),
  );

describe('encodeTextFrame', () => {
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
    it(`frames a ${length}-byte payload exactly as ws does`, () => {
      const payload = Buffer.alloc(length, 0x61);
      expect(encodeTextFrame(payload).equals(wsFrame(payload))).toBe(true);
    });
    it(`frames a ${length}-byte text payload exactly as ws does`, () => {
      const text = 'é'.repeat(length >> 1) + 'a'.repeat(length & 1);
      expect(encodeTextFrame(text).equals(wsFrame(Buffer.from(text)))).toBe(true);
    });
  }
});
