import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appSchema, appStoreSchema, configSchema, webhookTargetSchema } from './schema.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('configuration reference', () => {
  it.each([
    ...Object.keys(configSchema.shape),
    ...Object.keys(appSchema.shape),
    ...Object.keys(webhookTargetSchema.shape),
    ...appStoreSchema.unwrap().options.flatMap((option) => Object.keys(option.shape)),
  ])('documents %s in the README', (key) => {
    expect(readme).toContain(`\`${key}\``);
  });
});
