import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Paths linted with type information (typescript-eslint's type-checked rules, which need each
// file's TypeScript project: projectService finds the tsconfig.json nearest to the file). Only the
// web app and the browser tests for now: server/ and bench/ are added here once they pass too.
const TYPE_CHECKED_FILES = ['web/**/*.{ts,tsx}', 'e2e/**/*.ts'];

// The server's layers (server/src/README.md): features use libraries and the platform; libraries
// and the platform use no feature; a feature reads another's tables only through its service.
const FEATURES = readdirSync(new URL('./server/src/features/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const noFeatureImports = {
  group: ['**/features/**'],
  message: 'Libraries (server/src/lib) and the platform (server/src/platform) import no feature: pass what they need in (server/src/README.md).',
};
const featureRules = FEATURES.map((feature) => ({
  name: `feature ${feature}`,
  files: [`server/src/features/${feature}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['**/*.repository.js', '!./*.repository.js'],
            message: `A table belongs to its module: call the other module's service, not its repository (docs/decisions/011-module-boundaries.md).`,
          },
        ],
      },
    ],
  },
}));

// React's rules of hooks and the React Compiler's checks, every one an error.
const reactHooksRules = Object.fromEntries(Object.keys(reactHooks.configs.flat.recommended.rules).map((rule) => [rule, 'error']));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'data/', 'test-results/', 'screenshots/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  // The web app runs in browsers (its build config and tests excepted). It takes the server's
  // response types (web/src/lib/types.ts) but none of its code: that would end up in the bundle.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/server/**'], allowTypeImports: true, message: 'The web app takes only types from the server: use `import type`.' }] },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    name: 'libraries and platform',
    files: ['server/src/lib/**/*.ts', 'server/src/platform/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noFeatureImports] }] },
  },
  ...featureRules,
  {
    name: 'the lean stream core',
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['ai', '@ai-sdk/*'],
              message: "The server speaks the providers' wire formats itself (docs/decisions/010-lean-stream-core.md); the AI SDK is for the web app.",
            },
          ],
        },
      ],
    },
  },
  {
    name: 'settings read in one place',
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/config.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only server/src/config.ts reads the environment: add a setting there.' },
      ],
    },
  },
  {
    name: 'no import cycles',
    files: ['server/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // The server and the benchmarks get the type-aware rules about promises and assertions (the
    // bugs that cost: a promise nobody awaits, an async callback where a plain one is expected);
    // the no-unsafe-* family would flag their tests' parsed JSON bodies hundreds of times.
    name: 'type-checked: promises',
    files: ['server/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    // Test servers and benchmark processes hand async listeners to node:http and process.on,
    // each catching its own errors.
    files: ['server/test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }] },
  },
  {
    name: 'type-checked',
    files: TYPE_CHECKED_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    name: 'react-hooks',
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooksRules,
  },
);
