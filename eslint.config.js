import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Paths linted with type information (typescript-eslint's type-checked rules, which need each
// file's TypeScript project: projectService finds the tsconfig.json nearest to the file). Only the
// web app and the browser tests for now: server/ and bench/ are added here once they pass too.
const TYPE_CHECKED_FILES = ['web/**/*.{ts,tsx}', 'e2e/**/*.ts'];

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
