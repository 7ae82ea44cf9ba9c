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
    // Shared packages know no service: nothing under packages/ reaches into a subgraph or the gateway.
    files: ['packages/**/*.ts'],
    ignores: ['packages/messaging/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/subgraphs/**', '@potluck/recipes', '@potluck/comments', '**/gateway/**', '@potluck/gateway'] },
      ],
    },
  },
  {
    // Messaging is a library a reader understands alone: no service shell, no subgraph, no gateway.
    files: ['packages/messaging/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/subgraphs/**',
            '@potluck/recipes',
            '@potluck/comments',
            '**/gateway/**',
            '@potluck/gateway',
            '@potluck/service',
            '**/packages/service/**',
          ],
        },
      ],
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
