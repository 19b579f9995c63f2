import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { paths: [{ name: 'vscode', message: 'Only src/host may import vscode.' }] };
const noNode = ['node:*', 'fs', 'path', 'child_process'];
/** The layering of CONTRIBUTING's architecture map, as lint rules. */
const coreStandsAlone = {
  group: ['**/protocol', '**/protocol/**', '**/runner', '**/runner/**', '**/host', '**/host/**'],
  message: 'src/core is the numerics: it must not depend on the protocol, the runner or the host (define its own types; the runner maps them onto the protocol).',
};
const hostWithoutTfjs = [
  { group: ['@tensorflow/*'], message: 'src/host runs on the editor thread and must not load TensorFlow.js: numerics run in the runner (child process).' },
  {
    group: ['**/core', '**/core/**'],
    allowTypeImports: true,
    message: 'src/core loads TensorFlow.js: src/host may import its types only, and reaches the numerics through the runner.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'media/**', '.artifacts/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/protocol/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noVscode, patterns: noNode }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core, protocol and webview must not use process.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noVscode, patterns: [...noNode.map((group) => ({ group: [group] })), coreStandsAlone] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core, protocol and webview must not use process.' }],
    },
  },
  { files: ['src/host/**/*.ts', 'src/extension.ts'], rules: { 'no-restricted-imports': ['error', { patterns: hostWithoutTfjs }] } },
  { files: ['src/runner/**/*.ts'], rules: { 'no-restricted-imports': ['error', noVscode] } },
);
