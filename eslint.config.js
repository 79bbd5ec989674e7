// ESLint flat config: typescript-eslint with type information (the files of the root tsconfig.json;
// the UI's Svelte sources are checked by `npm run check:ui`). The rules that catch real bugs in async,
// I/O-heavy code are errors: a promise nobody awaits or catches, a promise passed where a callback's
// result is ignored, `await` on a non-promise, and reading, calling, returning, assigning or passing `any`
// (input from the wire, the store or JSON must be given a type before it is read).
// A regular expression whose matching time can grow faster than its input (nested or overlapping quantifiers that
// backtrack, an unanchored search that rescans) is an error outside tests: one span attribute, request field or catalog
// value crafted for it held the collector's thread for seconds (a 40-byte GraphQL document of `#`s, 2 s).
import { defineConfig } from 'eslint/config';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/**', 'ui/src/**', 'ui/build/**', 'ui/.svelte-kit/**', 'ui/vite.config.ts', '.weft/**', 'dist/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // An expression built from a string is beyond the two rules above: built once, through checkedRegExp, it is
      // checked by test/regexp-worst-case.test.ts with the same analysis.
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='RegExp'], CallExpression[callee.name='RegExp']",
          message:
            'Build it with checkedRegExp (core/text/checked-regexp.ts): its worst-case matching time is then checked (test/regexp-worst-case.test.ts), which the regexp/no-super-linear-* rules cannot do for an expression built from a string. One built per call from Weft’s own names may disable this line, saying so.',
        },
      ],
    },
  },
  {
    // Tests read JSON answers (`res.json()` is `any`) and assert on them with `expect`, which is the
    // check; typing every answer would add casts, not safety. The promise rules still apply.
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
