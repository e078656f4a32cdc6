// Lint rules for Albatross. The last block enforces the design's purity boundary: the
// pure rooms (model, annotations, translate, plan, naming) may not reach the world.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const pureRooms = [
  'pkg/model/**/*.ts',
  'pkg/annotations/**/*.ts',
  'pkg/translate/**/*.ts',
  'pkg/plan/**/*.ts',
  'pkg/naming/**/*.ts',
];

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.testenv/', 'coverage/', 'helm/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // @kubernetes/client-node declares its models as behaviour-less classes; object
      // literals are how its own examples build them.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type.' },
        { selector: 'TSModuleDeclaration', message: 'No namespaces: use ES modules.' },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: pureRooms,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Pure code does no I/O: pass data in.' },
            { group: ['@aws-sdk/*', 'p-retry'], message: 'Pure code makes no AWS calls.' },
            {
              group: ['@kubernetes/client-node'],
              allowTypeImports: true,
              message: 'Pure code may use Kubernetes types, not the client.',
            },
            {
              group: ['**/aws/**', '**/deploy/**', '**/k8s/**', '**/cli/**', '**/controller/**'],
              message: 'Pure rooms may not import the rooms that touch the world.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Config is read in controller/config.ts only.' },
        { name: 'setTimeout', message: 'No hidden timers in pure code.' },
        { name: 'setInterval', message: 'No hidden timers in pure code.' },
        { name: 'fetch', message: 'Pure code does no I/O.' },
        { name: 'Date', message: 'Inject a clock; pure code reads no time.' },
        { name: 'performance', message: 'Inject a clock; pure code reads no time.' },
        { name: 'crypto', message: 'No randomness in pure code.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'No randomness in pure code.' },
      ],
    },
  },
);
