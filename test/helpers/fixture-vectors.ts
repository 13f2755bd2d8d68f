/**
 * The official SDK's vectors as committed in test/fixtures/vectors.json (a copy of
 * shared/spec/vectors.json), so the suite runs on any clone.
 */
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const loadFixtureVectors = (): any =>
  JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8'));
