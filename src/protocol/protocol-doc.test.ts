import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const page = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
const sections = new Set(
  [...page.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map(([, number]) => number),
);

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|md)$/.test(entry.name)) yield path;
  }
}

/**
 * Every section the code and docs cite, with where: on a line that names docs/protocol.md, and
 * the open points (§16.N) wherever they are cited.
 */
const citations = ['src', 'packages/sdk/src', 'bench', 'test', 'docs'].flatMap((dir) =>
  [...sources(dir)].flatMap((file) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .flatMap((line) =>
        [...line.matchAll(/§(\d+(?:\.\d+)?)/g)]
          .map(([, n]) => n!)
          .filter((n) => line.includes('protocol.md') || n.startsWith('16.'))
          .map((n) => ({ file, n })),
      ),
  ),
);

describe('docs/protocol.md', () => {
  it('is cited, by the sources that implement it', () => {
    expect(citations.length).toBeGreaterThan(20);
  });

  it.each(citations)('has the section $file cites: §$n', ({ n }) => {
    expect(sections).toContain(n);
  });
});
