// Lint rules for kfed: typescript-eslint's recommended set, plus the rule that keeps
// pure domain code (libs/<domain>/) free of I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  '@nats-io/*', 'nats', 'ioredis', '@kubernetes/client-node', 'pino', 'prom-client',
  'node:net', 'node:http', 'node:https', 'node:http2', 'node:fs', 'node:fs/promises',
  'node:child_process', 'node:dgram', 'node:tls',
  'net', 'http', 'https', 'http2', 'fs', 'fs/promises', 'child_process', 'dgram', 'tls',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/infra/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ioModules, message: 'libs/<domain>/ is pure: I/O belongs in libs/infra/<adapter>/.' }],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'libs/<domain>/ is pure: configuration arrives as arguments.' },
        { name: 'setTimeout', message: 'libs/<domain>/ is pure: time arrives as arguments.' },
        { name: 'setInterval', message: 'libs/<domain>/ is pure: time arrives as arguments.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'libs/<domain>/ is pure: time arrives as arguments.' },
        { object: 'Math', property: 'random', message: 'libs/<domain>/ is pure: randomness arrives as arguments.' },
      ],
    },
  },
  {
    // Plain Node scripts (no TypeScript to know the globals).
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'schemas/**/*.ts', 'scripts/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
