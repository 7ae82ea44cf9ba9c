import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, graphqlRequest, waitFor, type TestDatabase } from '@potluck/testing';
import { startGatewayProcess, startStandInSubgraph, type StandInSubgraph } from './gatewayHelpers.js';
import { startStack, type TestStack } from './stack.js';
import { lockTable } from './tableLock.js';

const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Resolves once a connection to `url` is refused: the process no longer accepts. */
async function refusesConnections(url: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await fetch(url, { signal: AbortSignal.timeout(1000) });
        return undefined;
      } catch {
        return true;
      }
    },
    { what: `${url} to refuse connections` },
  );
}

describe('SIGTERM', () => {
  it('lets the gateway finish a request in flight, stop accepting new ones, and exit 0', async () => {
    const recipes: StandInSubgraph = await startStandInSubgraph({ kind: 'hold' });
    const comments = await startStandInSubgraph({ kind: 'answer', body: () => ({ data: {} }) });
    cleanups.push(
      () => recipes.close(),
      () => comments.close(),
    );
    const gateway = await startGatewayProcess({ RECIPES_URL: recipes.url, COMMENTS_URL: comments.url });
    cleanups.push(() => gateway.stop());

    const inFlight = graphqlRequest(gateway.url, '{ recipe(id: "r1") { title } }');
    await waitFor(() => (recipes.received.length === 1 ? true : undefined), {
      what: 'the request to reach the subgraph',
    });
    gateway.process.child.kill('SIGTERM');
    await refusesConnections(`${gateway.origin}/health/live`);
    recipes.release({ data: { recipe: { title: 'Finished after SIGTERM' } } });

    expect((await inFlight).data).toEqual({ recipe: { title: 'Finished after SIGTERM' } });
    expect(await gateway.process.exited).toBe(0);
    expect(gateway.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });

  it('lets a subgraph finish a request waiting on its database, then exit 0', async () => {
    const database: TestDatabase = await createTestDatabase('recipes');
    cleanups.push(() => database.drop());
    const stack: TestStack = await startStack({ recipes: { DATABASE_URL: database.url } });
    cleanups.push(() => stack.stop());
    const recipesProcess = stack.processes.find((service) => service.name === 'recipes')!;
    const lock = await lockTable(database.url, 'recipes');
    cleanups.push(() => lock.release());

    const inFlight = graphqlRequest(stack.recipesUrl, '{ recipes(first: 1) { totalCount } }');
    await waitFor(async () => ((await lock.waiters()) > 0 ? true : undefined), {
      what: 'the subgraph’s query to wait on the lock',
    });
    recipesProcess.child.kill('SIGTERM');
    await refusesConnections(stack.recipesUrl.replace('/graphql', '/health/live'));
    await lock.release();

    const response = await inFlight;
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ recipes: { totalCount: 0 } });
    expect(await recipesProcess.exited).toBe(0);
  });
});
