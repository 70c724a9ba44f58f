// ESLint for the controller, its scripts, benches and tests (npm run lint). Layout is prettier's
// job (.prettierrc.json): no stylistic rule lives here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**', 'data/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // Node's own CommonJS: the launcher, the build scripts, jest's configs.
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // The dashboard runs in the browser, as plain ES modules (no build step).
  { files: ['controller/src/web/**/*.js'], languageOptions: { globals: globals.browser, sourceType: 'module' } },
  // The domain and the policy are pure: no PBX client, web framework, database or any layer above
  // them (docs/architecture.md).
  {
    files: ['controller/src/domain/**/*.ts', 'controller/src/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'knex', 'ari-client', 'modesl', 'prom-client', 'winston', 'better-sqlite3', 'mysql2'].map(
            (name) => ({ name, message: 'the domain and the policy stay pure' }),
          ),
          patterns: [
            {
              group: [
                '**/pbx/**',
                '**/pbx',
                '**/store/**',
                '**/store',
                '**/api/**',
                '**/calls/**',
                '**/cli/**',
                '**/webhooks/**',
                '**/recordings/**',
                '**/retention/**',
                '**/metrics',
                '**/main',
              ],
              message: 'the domain and the policy import only each other and util/',
            },
          ],
        },
      ],
    },
  },
);
