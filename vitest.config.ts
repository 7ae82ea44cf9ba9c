import { defineConfig } from 'vitest/config';

// Tier is in the file name: *.unit.test.ts (no IO), *.int.test.ts (real Postgres and
// RabbitMQ, one service in-process), e2e/*.e2e.test.ts (the stack as processes).
export default defineConfig({
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
