/**
 * Reads the repository's Dockerfile as Docker does for what the tests need: the stages, and in
 * the last one the user, the environment, the entrypoint, the command and the healthcheck (exec
 * forms only, which is all the Dockerfile uses). There is no Docker engine here to build it.
 */
import { readFileSync } from 'node:fs';

export interface FinalStage {
  readonly stages: number;
  readonly user: string | undefined;
  readonly env: Record<string, string>;
  readonly entrypoint: string[];
  readonly cmd: string[];
  readonly healthcheck: string[];
  readonly exposed: string[];
}

export function readDockerfile(path: URL): FinalStage {
  // Continuation lines joined, comments dropped.
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = lines.filter((line) => /^FROM\s/i.test(line)).length;
  const final = lines.slice(lines.findLastIndex((line) => /^FROM\s/i.test(line)));
  const stage = {
    stages,
    user: undefined as string | undefined,
    env: {} as Record<string, string>,
    entrypoint: [] as string[],
    cmd: [] as string[],
    healthcheck: [] as string[],
    exposed: [] as string[],
  };
  for (const line of final) {
    const [instruction = '', rest = ''] = [line.split(/\s/, 1)[0], line.replace(/^\S+\s+/, '')];
    switch (instruction.toUpperCase()) {
      case 'USER':
        stage.user = rest;
        break;
      case 'ENV':
        for (const [, key, value] of rest.matchAll(/(\w+)=(\S+)/g)) stage.env[key!] = value!;
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = JSON.parse(rest) as string[];
        break;
      case 'CMD':
        stage.cmd = JSON.parse(rest) as string[];
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = JSON.parse(rest.slice(rest.indexOf('CMD ') + 4)) as string[];
        break;
      case 'EXPOSE':
        stage.exposed.push(...rest.split(/\s+/));
        break;
    }
  }
  return stage;
}
