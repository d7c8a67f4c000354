// Formatting, and the order of imports (packages, then the project's own files, nearest last).
// `npm run format` writes it, `npm run format:check` (in npm test) checks it.
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
  trailingComma: 'all',
  plugins: ['@ianvs/prettier-plugin-sort-imports'],
  importOrder: ['<BUILTIN_MODULES>', '<THIRD_PARTY_MODULES>', '^[.]'],
  importOrderTypeScriptVersion: '5.9.3',
};
