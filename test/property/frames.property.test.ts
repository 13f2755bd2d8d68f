/**
 * The frame decoder (src/protocol/frames.ts) against any text: it never throws, it refuses only
 * with the problems docs/errors.md lists, and it keeps what pusher-js sends as it was sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientFrame, eventDataObject } from '../../src/protocol/frames.ts';
import { anyJson, anyText, deeplyNested, mutated, runs } from './fuzz.ts';

const PROBLEMS = new Set([
  'frame is not valid JSON',
  'frame must be a JSON object',
  'frame has no "event" string',
  '"channel" must be a string',
  'frame is nested more than 64 levels deep',
]);

/** A frame as pusher-js writes it: an event, maybe a channel, any JSON data. */
const pusherFrame = fc.record(
  { event: fc.string({ minLength: 1, maxLength: 30 }), channel: fc.string(), data: anyJson },
  { requiredKeys: ['event'] },
);

const frameText = fc.oneof(
  anyText,
  pusherFrame.map((frame) => JSON.stringify(frame)),
  mutated(pusherFrame.map((frame) => JSON.stringify(frame))),
  deeplyNested,
  deeplyNested.map((nested) => `{"event":"client-x","channel":"private-a","data":${nested}}`),
  anyJson.map((value) => JSON.stringify(value)),
);

describe('decodeClientFrame, property-based', () => {
  it('never throws, and refuses only with a documented problem', () => {
    fc.assert(
      fc.property(frameText, (text) => {
        const decoded = decodeClientFrame(text);
        if (!decoded.ok) expect(PROBLEMS).toContain(decoded.problem);
      }),
      runs(500),
    );
  });

  it('keeps the event, channel and data of any frame pusher-js sends', () => {
    fc.assert(
      fc.property(pusherFrame, (frame) => {
        const text = JSON.stringify(frame);
        const sent = JSON.parse(text) as typeof frame; // what JSON makes of -0, say
        expect(decodeClientFrame(text)).toEqual({
          ok: true,
          value: { event: sent.event, channel: sent.channel, data: sent.data },
        });
      }),
      runs(300),
    );
  });

  it('refuses every frame nested deeper than 64 levels, and none at 64 or less', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_000 }), (depth) => {
        const data = `${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}`;
        const decoded = decodeClientFrame(`{"event":"client-x","data":${data}}`);
        expect(decoded.ok).toBe(depth <= 64);
      }),
      runs(200),
    );
  });

  it('reads any pusher:subscribe data without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, anyText, deeplyNested), (data) => {
        const decoded = eventDataObject(data);
        if (!decoded.ok) expect(decoded.problem).toBe('"data" must be an object');
      }),
      runs(300),
    );
  });
});
