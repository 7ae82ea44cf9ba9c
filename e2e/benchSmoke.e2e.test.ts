import { expect, it } from 'vitest';
import { testAmqpUrl, testServerUrl } from '@potluck/testing';
import { loadBenchConfig } from '../bench/src/gateways/config.js';
import { compare, toMarkdown } from '../bench/src/gateways/report.js';
import { runGatewayBench } from '../bench/src/gateways/runGatewayBench.js';

/**
 * `npm run bench` in miniature (about a second per scenario) so the harness keeps working:
 * the four gateways (Potluck's, stock Apollo, Hive, and Hive with the Rust query planner)
 * answer the page queries alike (the run checks it before measuring, and stops otherwise),
 * every scenario answers without errors, and SQL statements per request stay flat from a page
 * of 10 to a page of 100. The figures themselves are not judged here.
 */
it('runs every benchmark scenario without errors and counts SQL statements per request', async () => {
  const config = loadBenchConfig({
    BENCH_SECONDS: '1',
    BENCH_WARMUP_SECONDS: '0.5',
    // A few connections: 50 at once on a cold stock gateway, on two cores shared with other test
    // files, can keep every request in flight for longer than the second measured.
    BENCH_CONNECTIONS: '4',
    BENCH_ROUNDS: '1',
    BENCH_SQL_REQUESTS: '3',
    BENCH_LOG_LEVEL: 'warn',
    DATABASE_SERVER_URL: testServerUrl(),
    AMQP_URL: testAmqpUrl(),
  });
  const result = await runGatewayBench(config);
  const problems = result.scenarios
    .filter(({ summary }) => summary.requests === 0 || summary.errors > 0)
    .map(({ id, summary }) => `${id}: ${summary.requests} ok, ${summary.errors} errors`);
  expect(problems).toEqual([]);
  expect(result.scenarios.map(({ id }) => id)).toEqual(
    expect.arrayContaining(['page:hive-router', 'pages:hive-router']),
  );
  expect(result.scenarios).toHaveLength(14);
  expect(Object.keys(result.idleRssMiB).sort()).toEqual([
    'apollo',
    'comments',
    'hive',
    'hive-router',
    'potluck',
    'recipes',
  ]);
  const [small, large] = result.sqlStatements;
  expect(small!.perRequest.total).toBeGreaterThan(0);
  expect(large!.perRequest).toEqual(small!.perRequest);
  expect(toMarkdown(result, compare(result))).toContain('| SQL statements per request (scenario 1)');
}, 240_000);
