/**
 * Guards the SDK's boundary (issue #5, STYLE.md §4): `pushwire/sdk` loads on Node, Deno, Bun and
 * edge runtimes, so its source may import only its own files and the two pure @noble packages,
 * and may not lean on Node globals. Test files are exempt.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SDK_DIR = dirname(fileURLToPath(import.meta.url));
const ALLOWED_PACKAGES = /^@noble\/(hashes|ciphers)\/[\w.-]+\.js$/;
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const NODE_GLOBALS = /\b(?:Buffer|process|require|__dirname|__filename)\b\s*[.(]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sourceFiles(SDK_DIR);

/** Drops comments so prose about `process` or `require` does not count. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('the SDK import boundary', () => {
  it('finds the SDK source files', () => {
    expect(files.map((file) => relative(SDK_DIR, file))).toContain('index.ts');
  });

  for (const file of files) {
    const name = relative(SDK_DIR, file);

    it(`keeps ${name} to its own files and @noble when it imports`, () => {
      const text = code(file);
      for (const match of text.matchAll(IMPORT)) {
        const specifier = (match[1] ?? match[2]) as string;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          expect(relative(SDK_DIR, target).startsWith('..'), `${name} imports ${specifier}`).toBe(
            false,
          );
        } else {
          expect(specifier, `${name} imports ${specifier}`).toMatch(ALLOWED_PACKAGES);
        }
      }
    });

    it(`keeps ${name} free of Node-only globals`, () => {
      expect(code(file)).not.toMatch(NODE_GLOBALS);
    });
  }
});
