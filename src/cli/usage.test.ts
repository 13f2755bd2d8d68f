import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TOOL_OPTIONS } from '../tools/index.ts';
import { START_OPTIONS, USAGE, version } from './usage.ts';

const flags = (options: ParseArgsConfig['options']) =>
  Object.entries(options ?? {}).map(([name, option]) => ({ name, short: option.short }));

/** The part of the help about one command: from its usage line to the next blank line. */
function section(command: string): string {
  const start = USAGE.indexOf(`pushwire ${command} `);
  expect(start, `a usage line for ${command}`).toBeGreaterThan(-1);
  return USAGE.slice(start, USAGE.indexOf('\n\n', start));
}

describe('pushwire --help', () => {
  const commands = ['start', ...Object.keys(TOOL_OPTIONS), 'help'];

  it.each(commands)('lists the %s command', (command) => {
    expect(USAGE).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each(flags(START_OPTIONS))('shows start --$name', ({ name, short }) => {
    expect(section('start')).toContain(short ? `-${short}, --${name}` : `--${name}`);
  });

  it.each(
    Object.entries(TOOL_OPTIONS).flatMap(([tool, options]) =>
      flags(options).map((flag) => ({ tool, ...flag })),
    ),
  )('shows $tool --$name', ({ tool, name }) => {
    // The HTTP API tools share the TARGET flags, explained once after them.
    const target = USAGE.slice(USAGE.indexOf('TARGET:'));
    const text = tool === 'check-auth' ? section(tool) : `${section(tool)}\n${target}`;
    expect(text).toMatch(new RegExp(`--${name}\\b`));
  });
});

describe('pushwire --version', () => {
  it("is the package's version", () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(version()).toBe(manifest.version);
  });
});
