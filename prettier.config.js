// Formatting, and the order of imports (packages, then the project's own files, nearest last).
// `npm run format` covers web/ and e2e/ for now; server/ and bench/ follow in a change of their own.
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
  plugins: ['@ianvs/prettier-plugin-sort-imports'],
  importOrder: ['<BUILTIN_MODULES>', '<THIRD_PARTY_MODULES>', '^[.]'],
  importOrderTypeScriptVersion: '5.9.3',
};
