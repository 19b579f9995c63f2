import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = { paths: [{ name: 'vscode', message: 'Only src/host may import vscode.' }] };

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
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noVscode, patterns: ['node:*', 'fs', 'path', 'child_process'] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core, protocol and webview must not use process.' }],
    },
  },
  { files: ['src/runner/**/*.ts'], rules: { 'no-restricted-imports': ['error', noVscode] } },
);
