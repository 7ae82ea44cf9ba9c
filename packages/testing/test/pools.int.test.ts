import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropDatabase, ensureDatabase, withDatabase } from '@potluck/db';
import { endPool, openPool, queryRows, randomName, testServerUrl, waitFor } from '@potluck/testing';

let url: string;

beforeAll(async () => {
  url = withDatabase(testServerUrl(), randomName('potluck_test_pools'));
  await ensureDatabase(url);
});

afterAll(() => dropDatabase(url));

const backendsOn = async (name: string) =>
  (await queryRows(testServerUrl(), 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]))[0]!
    .n;

it('ends a pool only once each of its connections has closed', async () => {
  const pool = openPool(url);
  let ended = 0;
  pool.on('connect', (client) => client.once('end', () => (ended += 1)));
  await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.02)')));
  expect(pool.totalCount).toBe(3);

  await endPool(pool);

  expect(ended).toBe(3);
  expect(await backendsOn(new URL(url).pathname.slice(1))).toBe(0);
});

it('lets the server end its idle connections without an unhandled error', async () => {
  const name = randomName('potluck_test_pools_dropped');
  const doomed = withDatabase(testServerUrl(), name);
  await ensureDatabase(doomed);
  const pool = openPool(doomed);
  await Promise.all([1, 2].map(() => pool.query('SELECT 1')));
  expect(pool.idleCount).toBe(2);

  await dropDatabase(doomed);

  await waitFor(() => pool.totalCount === 0 || undefined, { what: 'the pool to drop its terminated connections' });
  await expect(pool.query('SELECT 1')).rejects.toThrow(name);
  await endPool(pool);
});
