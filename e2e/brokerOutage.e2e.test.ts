import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AddCommentDocument,
  CreateRecipeDocument,
  DeleteCommentDocument,
  RecipeDocument,
  UpdateRecipeDocument,
  type GraphQLClient,
} from '@potluck/client';
import { startTcpProxy, testAmqpUrl, waitFor, type TcpProxy } from '@potluck/testing';
import { waitForConvergence } from './convergence.js';
import { useStack } from './stack.js';
import { waitForGatewayReady } from './stackProbes.js';

let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await startTcpProxy(5672);
});

afterAll(async () => {
  await proxy?.close();
});

const stack = useStack(() => {
  const throughProxy = { AMQP_URL: proxy.url(testAmqpUrl()) };
  return { recipes: throughProxy, comments: throughProxy };
});
let client: GraphQLClient;

beforeAll(async () => {
  client = await stack.client();
});

async function readiness(url: string) {
  const response = await fetch(url.replace('/graphql', '/health/ready'));
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, { status: string }> },
  };
}

it('keeps taking mutations while RabbitMQ is unreachable, stays ready for traffic but degraded, and delivers every event when the link returns', async () => {
  const recipe = (
    await client.request(CreateRecipeDocument, { input: { title: 'Before', timeMinutes: 5, price: '1' } })
  ).createRecipe;
  const kept = (await client.request(AddCommentDocument, { input: { recipeId: recipe.id, text: 'kept' } })).addComment;
  const doomed = (await client.request(AddCommentDocument, { input: { recipeId: recipe.id, text: 'doomed' } }))
    .addComment;
  await waitForConvergence(stack);

  proxy.cut();
  for (const url of [stack.recipesUrl, stack.commentsUrl]) {
    const down = await waitFor(
      async () => {
        const report = await readiness(url);
        return report.body.status === 'degraded' ? report : undefined;
      },
      { what: `${url} to report the broker down` },
    );
    // Ready for traffic: a load balancer keeps sending reads and writes (the outbox holds the events).
    expect(down.status).toBe(200);
    expect(down.body.checks.broker?.status).toBe('down');
    expect(down.body.checks.database?.status).toBe('up');
  }
  const gateway = await readiness(stack.gatewayUrl);
  expect(gateway).toMatchObject({ status: 200, body: { status: 'degraded' } });

  const during = [];
  for (let index = 0; index < 3; index += 1) {
    during.push(
      (await client.request(CreateRecipeDocument, { input: { title: `During ${index}`, timeMinutes: 5, price: '1' } }))
        .createRecipe,
    );
  }
  await client.request(UpdateRecipeDocument, { id: recipe.id, input: { title: 'Renamed during the outage' } });
  await client.request(AddCommentDocument, { input: { recipeId: recipe.id, text: 'written during the outage' } });
  await client.request(DeleteCommentDocument, { id: doomed.id });
  await new Promise((resolve) => setTimeout(resolve, 3000));

  proxy.restore();
  // The gateway is fully ready only when both subgraphs are (broker, consumer, outbox).
  await waitForGatewayReady(stack, 30_000);
  await waitForConvergence(stack);
  expect(during).toHaveLength(3);
  const after = (await client.request(RecipeDocument, { id: recipe.id })).recipe;
  expect(after?.title).toBe('Renamed during the outage');
  expect(after?.commentCount).toBe(2);
  expect(after?.comments?.edges.map((edge) => edge.node.id)).toContain(kept.id);
});
