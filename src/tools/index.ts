/**
 * The developer tools of the CLI: `check-auth`, `trigger`, `channels`, `users`, `webhooks`. The
 * CLI hands over argv after the command name; each tool returns its exit code.
 */
import type { ParseArgsConfig } from 'node:util';
import { API_OPTIONS, TARGET_OPTIONS, apiCommand } from './api/command.ts';
import { CHECK_AUTH_OPTIONS, checkAuthCommand } from './check-auth/command.ts';
import { Exit, processIo, type ToolIo } from './io.ts';
import { TARGET_USAGE, TOOL_USAGE } from './usage.ts';

export { TOOL_USAGE, toolsUsage } from './usage.ts';

const TOOLS: Record<string, (args: string[], io: ToolIo) => Promise<number>> = {
  'check-auth': checkAuthCommand,
  trigger: (args, io) => apiCommand('trigger', args, io),
  channels: (args, io) => apiCommand('channels', args, io),
  users: (args, io) => apiCommand('users', args, io),
  webhooks: (args, io) => apiCommand('webhooks', args, io),
};

/** Every flag each tool's parser accepts (besides --help), so the help can be checked against them. */
export const TOOL_OPTIONS: Record<keyof typeof TOOL_USAGE, ParseArgsConfig['options']> = {
  'check-auth': CHECK_AUTH_OPTIONS,
  trigger: { ...TARGET_OPTIONS, ...API_OPTIONS.trigger },
  channels: { ...TARGET_OPTIONS, ...API_OPTIONS.channels },
  users: { ...TARGET_OPTIONS, ...API_OPTIONS.users },
  webhooks: { ...TARGET_OPTIONS, ...API_OPTIONS.webhooks },
};

export const isTool = (command: string | undefined): command is string =>
  command !== undefined && Object.hasOwn(TOOLS, command);

export function runTool(command: string, args: string[], io: ToolIo = processIo): Promise<number> {
  const tool = TOOLS[command];
  if (!tool) throw new Error(`no tool named ${command}`);
  if (args.includes('--help') || args.includes('-h')) {
    const target = command === 'check-auth' ? '' : `\n${TARGET_USAGE}`;
    io.out(`Usage: ${TOOL_USAGE[command as keyof typeof TOOL_USAGE]}${target}\n`);
    return Promise.resolve(Exit.Ok);
  }
  return tool(args, io);
}
