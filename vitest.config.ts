import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS build for Apollo; Vite would give workspace code its ESM build
// (package.json "module"), and two copies of graphql refuse each other's schemas ("another
// module or realm"). One copy for both, as in production.
const GRAPHQL_CJS = createRequire(import.meta.url).resolve('graphql');

// Tier is in the file name: *.unit.test.ts (no IO), *.int.test.ts (real Postgres and
// RabbitMQ, one service in-process), e2e/*.e2e.test.ts (the stack as processes).
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: GRAPHQL_CJS }] },
  test: {
    globalSetup: ['packages/testing/src/globalSetup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/test/**/*.unit.test.ts'], exclude: ['**/node_modules/**'] },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.e2e.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
    ],
  },
});
