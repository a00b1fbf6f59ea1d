// ESLint finds bugs (unused code, unsafe patterns, Svelte mistakes); Prettier owns formatting, so
// no rule here restyles code.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Generated, vendored or formatted by other tools (the same list as .prettierignore).
  globalIgnores([
    'node_modules/',
    'contracts/',
    'circuits/',
    'public/',
    'datasets/',
    'deployments/',
    'test-output/',
    'test-results/',
    '.tmp/',
    '.local/',
    '.aiarena/',
    'dist/',
    'docs/',
    'cache/',
    'src/lib/chain/abi.generated.ts',
    'test/vectors/',
  ]),
  // A disable comment that no longer silences anything fails the run, so none outlives its reason.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  // Without type information: the type-aware sets (recommendedTypeChecked) nearly tripled the
  // run's CPU time on the 2-core machine (docs/library.md, "Formatter and linter"); tsc checks
  // the types.
  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    rules: {
      // A leading underscore marks a parameter, binding or caught error kept on purpose (a
      // callback's signature, a destructured slot, a value dropped from a rest copy).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // {' '} and {' · '} pin a space or separator that Prettier's line wrapping would move or drop.
      'svelte/no-useless-mustaches': 'off',
      // Plain Maps and Sets in the app hold private bookkeeping (timers, ids seen, backends tried)
      // that no template reads; rendered state lives in $state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  // Globals per runtime: the app runs in the browser, the ML and prover workers in Web Workers,
  // the library in all of them and in Node (CLI, agents, tests), the scripts and tests in Node.
  {
    files: ['src/app/**', 'src/main.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['workers/**'],
    languageOptions: { globals: globals.worker },
  },
  {
    files: ['src/lib/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
  },
  {
    files: ['src/cli/**', 'scripts/**', 'test/**', 'bin/**', '*.config.ts', '*.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // The browser tests drive pages: code passed to page.evaluate runs in the browser.
    files: ['test/browser/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
