/** docs/testing.md shows the examples beside this test, which run in CI, as they are. */
import { expect, it } from 'vitest';
import { docBlocks, expectSampleMatchesFile } from '../../test/helpers/doc-samples.ts';

it('docs/testing.md embeds the Vitest and Jest examples verbatim', async () => {
  const blocks = docBlocks('docs/testing.md');
  expect(blocks.map((b) => b.sample)).toEqual([
    'examples/testing/vitest/orders.test.ts',
    'examples/testing/jest/jest.config.mjs',
    'examples/testing/jest/presence.test.mjs',
  ]);
  for (const block of blocks) await expectSampleMatchesFile(block);
});
