// ESLint's configuration (flat config). The top level of the repository is fixed, so it lives
// here and is named explicitly: `npm run lint` is `eslint -c test/lint/eslint.config.js`, run
// from the repository root (file patterns are relative to it). test/unit/lint.test.ts runs the
// same command so that CI (test/run-suite.sh) fails on a finding.
//
// Only the rules that catch what review #12 found, each with type information from
// tsconfig.json: imports of types written as `import type`, promises neither awaited nor
// marked `void`, exports nothing imports (./no-unused-exports.js), and `!` assertions the type
// checker does not need.
import tseslint from 'typescript-eslint';
import noUnusedExports from './no-unused-exports.js';

const root = new URL('../..', import.meta.url).pathname;

export default [
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: root },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { '@typescript-eslint': tseslint.plugin, sluice: { rules: { 'no-unused-exports': noUnusedExports } } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      'sluice/no-unused-exports': 'error',
    },
  },
];
