import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/src/generated/**',
      'client/src/generated/**',
      'test-results/**',
      'gateway/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Layout is architecture: the gateway knows only the supergraph, subgraphs never import each other.
    files: ['gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/subgraphs/**', '@potluck/recipes', '@potluck/comments'] }],
    },
  },
  {
    files: ['subgraphs/recipes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/subgraphs/comments/**', '@potluck/comments', '**/gateway/**'] },
      ],
    },
  },
  {
    files: ['subgraphs/comments/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/subgraphs/recipes/**', '@potluck/recipes', '**/gateway/**'] },
      ],
    },
  },
);
