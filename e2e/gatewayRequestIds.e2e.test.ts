import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, waitFor } from '@potluck/testing';
import type { ServiceName } from '../scripts/stack.js';
import { logEntries } from './stackProbes.js';
import { useStack } from './stack.js';

const LIST =
  'query ListWithComments { recipes(first: 3) { totalCount edges { node { title comments { totalCount } } } } }';

const stack = useStack();

beforeAll(async () => {
  await graphqlRequest(
    stack.gatewayUrl,
    'mutation { createRecipe(input: { title: "Ramen", timeMinutes: 60, price: 8 }) { id } }',
  );
});

/** The request log line ("request completed") each service wrote for one request id. */
async function requestLines(requestId: string, services: ServiceName[]) {
  return waitFor(
    () => {
      const lines = services.map((service) =>
        logEntries(stack, service).find((line) => line.requestId === requestId && line.msg === 'request completed'),
      );
      return lines.every(Boolean) ? (lines as Array<Record<string, unknown>>) : undefined;
    },
    { what: `a request log line for ${requestId} from ${services.join(', ')}` },
  );
}

describe('request ids', () => {
  it('keeps the caller’s x-request-id: returned, and in the log line of the gateway and both subgraphs', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const response = await graphqlRequest(stack.gatewayUrl, LIST, {}, { 'x-request-id': requestId });

    expect(response.errors).toBeUndefined();
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const [gateway, recipes, comments] = await requestLines(requestId, ['gateway', 'recipes', 'comments']);
    expect(gateway).toMatchObject({
      level: 30,
      service: 'gateway',
      operationName: 'ListWithComments',
      req: { method: 'POST', url: '/graphql' },
      res: { statusCode: 200 },
      durationMs: expect.any(Number),
    });
    expect(gateway).not.toHaveProperty('errors');
    expect(recipes).toMatchObject({
      service: 'recipes',
      res: { statusCode: 200 },
      operationName: expect.stringContaining('ListWithComments'),
    });
    expect(comments).toMatchObject({ service: 'comments', res: { statusCode: 200 } });
  });

  it('generates an id when there is none, or when the given one is unsafe to log', async () => {
    const cases: Array<Record<string, string>> = [{}, { 'x-request-id': 'no spaces or "quotes" allowed' }];
    for (const headers of cases) {
      const response = await graphqlRequest(stack.gatewayUrl, LIST, {}, headers);
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await requestLines(requestId!, ['gateway', 'recipes', 'comments']);
    }
  });

  it('logs a refused request with its status and its errors’ codes', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const response = await graphqlRequest(
      stack.gatewayUrl,
      'query Broken { recipez }',
      {},
      { 'x-request-id': requestId },
    );
    expect(response.status).toBe(400);

    const [gateway] = await requestLines(requestId, ['gateway']);
    expect(gateway).toMatchObject({
      level: 40,
      operationName: 'Broken',
      res: { statusCode: 400 },
      errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringContaining('recipez') }],
    });
  });

  it('never logs request headers (they carry credentials)', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const token = await stack.identities.token();
    await graphqlRequest(stack.gatewayUrl, LIST, {}, { 'x-request-id': requestId, authorization: `Bearer ${token}` });
    await requestLines(requestId, ['gateway', 'recipes', 'comments']);
    const logs = stack.logs.join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.split('.')[2]);
  });
});

/** The "event consumed" line a service wrote for an event of this type caused by this request id. */
function consumedLine(service: ServiceName, type: string, correlationId: string) {
  return waitFor(
    () =>
      logEntries(stack, service).find(
        (line) => line.msg === 'event consumed' && line.type === type && line.correlationId === correlationId,
      ),
    { what: `${service} consuming ${type} caused by ${correlationId}` },
  );
}

describe('request ids across events', () => {
  async function send(requestId: string, query: string, variables: Record<string, unknown>) {
    const response = await graphqlRequest<Record<string, { id: string } | string>>(stack.gatewayUrl, query, variables, {
      'x-request-id': requestId,
      ...(await stack.identities.bearer()),
    });
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  it('follow a write into the other service’s log, also through the events its handling causes', async () => {
    const created = `e2e-create-${randomUUID()}`;
    const { createRecipe } = await send(
      created,
      'mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }',
      { input: { title: 'Pho', timeMinutes: 90, price: 9 } },
    );
    const recipeId = (createRecipe as { id: string }).id;
    expect(await consumedLine('comments', 'recipe.created', created)).toMatchObject({ outcome: 'applied' });

    const commented = `e2e-comment-${randomUUID()}`;
    await send(commented, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
      input: { recipeId, text: 'Rich broth' },
    });
    await consumedLine('recipes', 'comment.added', commented);

    // Deleting the recipe makes comments delete its comment and announce that: same id throughout.
    const deleted = `e2e-delete-${randomUUID()}`;
    await send(deleted, 'mutation($id: ID!) { deleteRecipe(id: $id) }', { id: recipeId });
    await consumedLine('comments', 'recipe.deleted', deleted);
    await consumedLine('recipes', 'comment.deleted', deleted);
  });
});
