// Lint rules, including the import boundaries from STYLE.md §4: one importer per outside dependency.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (...names) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: names.map((name) => ({ name, message: `${name} may only be imported at its edge.` })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/dist/', 'node_modules/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    // The Redis edges: the adapter, and the webhook queue the nodes share.
    ignores: ['src/transport/**', 'src/adapter/redis/**', 'src/webhooks/redis*.ts'],
    rules: restrict('ws', 'ioredis'),
  },
  {
    files: ['src/protocol/**', 'src/auth/**', 'src/channels/**', 'src/connection/**'],
    rules: restrict('ws', 'ioredis', 'node:http', 'node:net', 'node:timers', 'pino', 'prom-client'),
  },
  {
    files: ['packages/sdk/src/**'],
    rules: restrict('ws', 'ioredis', 'pino', 'prom-client', 'node:http', 'node:crypto', 'zod'),
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
