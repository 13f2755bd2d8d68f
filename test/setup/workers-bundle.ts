/**
 * Global setup of the `workers` project: bundles the CLI from source, its dependencies included,
 * into one file, so that each `pushwire start --workers 2` a test starts (a primary and two
 * workers, three Node processes) costs about 0.75 CPU-s instead of 1.6 with the dependencies
 * loaded from node_modules (and more under tsx). Rebuilt on every run: never stale.
 */
import { build } from 'esbuild';
import { WORKERS_BUNDLE } from '../helpers/workers-server.ts';

export default async function bundleCli(): Promise<void> {
  await build({
    entryPoints: [new URL('../../src/cli/bin.ts', import.meta.url).pathname],
    outfile: WORKERS_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The SDK from source, as tsconfig.json's `paths` maps it for tsx.
    alias: {
      '@pushwire/sdk': new URL('../../packages/sdk/src/index.ts', import.meta.url).pathname,
    },
    // pg's optional native binding, never installed.
    external: ['pg-native'],
    // The CommonJS dependencies call `require`, which an ES module does not have.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
