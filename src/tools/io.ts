/**
 * What the developer tools write to, and their exit codes: 0 when everything holds, 1 when a
 * check fails or the server refuses, 2 for bad usage or an unreachable server.
 */
export interface ToolIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: ToolIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export const Exit = { Ok: 0, Failed: 1, Usage: 2 } as const;

/** A usage mistake: printed with the command's usage, exit 2. */
export class UsageError extends Error {}
