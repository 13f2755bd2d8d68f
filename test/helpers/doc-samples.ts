/**
 * Code samples in docs that are files: each fenced block follows a `<!-- sample: PATH -->`
 * marker, and must be that file as it is (the repository's `../src/sdk/index.ts` imports read
 * `@pushwire/sdk` in the docs). Compared after Prettier, which also formats the Markdown.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DocBlock {
  /** The marker's path (relative to the repository root), or its name (`check-auth`). */
  readonly sample: string | undefined;
  readonly lang: string;
  readonly code: string;
}

/** Every fenced block of the page, with the sample marker that precedes it, if any. */
export function docBlocks(page: string): DocBlock[] {
  const text = readFileSync(`${ROOT}/${page}`, 'utf8');
  const blocks: DocBlock[] = [];
  const fence = /(?:<!-- sample: (\S+) -->\s*\n)?```(\w*)\n([\s\S]*?)```/g;
  for (const match of text.matchAll(fence)) {
    blocks.push({ sample: match[1], lang: match[2] ?? '', code: match[3] ?? '' });
  }
  return blocks;
}

/** A sample file as the docs show it: imports of the repository's entry points by package name. */
export const asPublished = (code: string): string =>
  code
    .replace(/from '(?:\.\.\/)+src\/sdk\/index\.ts'/g, "from '@pushwire/sdk'")
    .replace(/from '(?:\.\.\/)+src\/testing\/index\.ts'/g, "from 'pushwire/testing'");

const format = async (code: string, lang: string) =>
  prettier.format(code, {
    ...(await prettier.resolveConfig(`${ROOT}/package.json`)),
    parser: lang === 'js' ? 'babel' : 'typescript',
  });

/** Throws unless the block's code is its file's (up to formatting). */
export async function expectSampleMatchesFile(block: DocBlock): Promise<void> {
  if (!block.sample) throw new Error('block has no sample marker');
  const file = asPublished(readFileSync(`${ROOT}/${block.sample}`, 'utf8'));
  const [shown, actual] = await Promise.all([
    format(block.code, block.lang),
    format(file, block.lang),
  ]);
  if (shown !== actual) {
    throw new Error(`the docs' copy of ${block.sample} differs from the file:\n${shown}`);
  }
}
