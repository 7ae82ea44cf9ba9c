import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateRecipeDocument, type GraphQLClient } from '@potluck/client';
import { startTcpProxy, waitFor, type TcpProxy } from '@potluck/testing';
import { waitForConvergence } from './convergence.js';
import { useStack } from './stack.js';
import { logEntries, parkedCount, queryRows, waitForGatewayReady } from './stackProbes.js';

const OUTAGE_MS = 60_000;

let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await startTcpProxy(5432);
});

afterAll(async () => {
  await proxy?.close();
});

const stack = useStack();
let client: GraphQLClient;

beforeAll(async () => {
  // The database is created with the stack, so the comments service is moved behind the proxy afterwards.
  await stack.restart('comments', { DATABASE_URL: proxy.url(stack.databaseUrls.comments) });
  await waitForGatewayReady(stack);
  client = await stack.client();
});

const readyStatus = async (url: string) =>
  (await fetch(url.replace('/graphql', '/health/ready'), { signal: AbortSignal.timeout(5000) })).status;

async function createRecipe(title: string): Promise<string> {
  const input = { title, timeMinutes: 5, price: '1' };
  return (await client.request(CreateRecipeDocument, { input })).createRecipe.id;
}

/** Creates a recipe about every second until `until`, so events keep arriving at comments during the outage. */
async function keepCreating(until: number, created: string[]): Promise<void> {
  while (Date.now() < until) {
    created.push(await createRecipe(`during the outage ${created.length}`));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

it(
  'keeps every recipe event through a 60 s comments database outage: not ready meanwhile, nothing parked, all applied after',
  async () => {
    const created = [await createRecipe('in flight 1'), await createRecipe('in flight 2')];
    proxy.cut();
    const writing = keepCreating(Date.now() + OUTAGE_MS, created);
    await waitFor(async () => ((await readyStatus(stack.commentsUrl)) === 503 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 500,
      what: 'comments to report not ready',
    });
    await writing;
    expect(created.length).toBeGreaterThan(30);
    expect(await parkedCount(stack, ['comments']), 'parked during the outage').toBe(0);
    expect(await readyStatus(stack.commentsUrl)).toBe(503);
    // The consumer kept handling, and failing, rather than pausing: each failure was transient and retried.
    const retried = logEntries(stack, 'comments').filter((entry) => entry.msg === 'handler failed; retrying later');
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((entry) => entry.kind === 'transient')).toBe(true);

    proxy.restore();
    await waitForGatewayReady(stack, 60_000);
    await waitForConvergence(stack, 90_000);
    expect(await parkedCount(stack)).toBe(0);
    const replica = await queryRows(
      stack.databaseUrls.comments,
      'SELECT id::text FROM recipe_replica WHERE id = ANY($1::uuid[]) AND NOT deleted',
      [created],
    );
    expect(replica.map((row) => String(row.id)).sort()).toEqual([...created].sort());
    expect(await readyStatus(stack.commentsUrl)).toBe(200);
    expect(stack.service('comments').child.exitCode).toBeNull();
  },
  OUTAGE_MS + 180_000,
);
