/**
 * Shared pieces of the property tests: how many runs, and the hostile inputs every surface gets.
 * Runs are few by default so CI stays fast; `PUSHWIRE_FUZZ_RUNS=N` runs every property N times
 * (and `PUSHWIRE_FUZZ_SEED` replays the seed a failure printed).
 */
import fc from 'fast-check';

const envRuns = Number(process.env.PUSHWIRE_FUZZ_RUNS);
const envSeed = Number(process.env.PUSHWIRE_FUZZ_SEED);

/** fast-check parameters: `byDefault` runs, or the environment's. */
export function runs(byDefault: number): fc.Parameters<unknown> {
  return {
    numRuns: Number.isInteger(envRuns) && envRuns > 0 ? envRuns : byDefault,
    ...(Number.isInteger(envSeed) ? { seed: envSeed } : {}),
  };
}

/** A long run needs a longer test timeout than vitest's default. */
export const timeoutFor = (byDefault: number, msPerRun: number): number =>
  Math.max(20_000, (Number.isInteger(envRuns) && envRuns > 0 ? envRuns : byDefault) * msPerRun);

/** Any UTF-16 text, lone surrogates and control characters included. */
export const anyText = fc.string({ unit: 'binary', maxLength: 200 });

/** Any JSON value, a little nested. */
export const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Text nested `depth` levels deep in arrays or objects: what once blew the stack. */
export const deeplyNested = fc
  .record({ depth: fc.integer({ min: 60, max: 8_000 }), object: fc.boolean() })
  .map(({ depth, object }) =>
    object
      ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

/** `text` with a few characters deleted, replaced or inserted. */
export const mutated = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      text,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), anyText), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([original, edits]) =>
      edits.reduce((value, [at, kind, chunk]) => {
        const i = value.length === 0 ? 0 : at % value.length;
        const piece = chunk.slice(0, 3);
        if (kind === 'delete') return value.slice(0, i) + value.slice(i + 1);
        if (kind === 'replace') return value.slice(0, i) + piece + value.slice(i + 1);
        return value.slice(0, i) + piece + value.slice(i);
      }, original),
    );
