import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, graphqlRequest, testIdentityProvider, waitFor } from '@potluck/testing';
import {
  jsonLines,
  startGatewayProcess,
  startStandInSubgraph,
  type GatewayProcess,
  type StandInSubgraph,
} from './gatewayHelpers.js';

/**
 * Gateways in production and development mode in front of stand-in subgraphs; the recipes
 * stand-in fails the way an unexpected bug does: an error without a code, whose message
 * holds something no client may see.
 */
const SECRET = 'password=hunter2 at /srv/recipes/db.ts:12';
const INTROSPECTION = '{ __schema { queryType { name } } }';

let recipes: StandInSubgraph;
let comments: StandInSubgraph;
const gateways: GatewayProcess[] = [];
const identities = testIdentityProvider();

async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
  const started = await startGatewayProcess({ RECIPES_URL: recipes.url, COMMENTS_URL: comments.url, ...env });
  gateways.push(started);
  return started;
}

beforeAll(async () => {
  recipes = await startStandInSubgraph({
    kind: 'answer',
    body: () => ({ data: { recipe: null }, errors: [{ message: SECRET }] }),
  });
  // A coded error that carries the subgraph's stack trace, as a subgraph run with STACKTRACES=true sends it.
  comments = await startStandInSubgraph({
    kind: 'answer',
    body: () => ({
      data: { comment: null },
      errors: [
        {
          message: 'comment id is not valid',
          path: ['comment'],
          extensions: { code: 'BAD_USER_INPUT', stacktrace: [`BadUserInputError: ${SECRET}`] },
        },
      ],
    }),
  });
});

afterAll(async () => {
  const codes = await Promise.all(gateways.map((started) => started.stop()));
  await Promise.all([recipes?.close(), comments?.close()]);
  identities.remove();
  expect(codes.every((code) => code === 0)).toBe(true);
});

describe('production mode', () => {
  let production: GatewayProcess;
  beforeAll(async () => {
    production = await gateway(identities.productionEnv());
  });

  it('masks an internal error: generic message, INTERNAL_SERVER_ERROR, the request id, no stack trace', async () => {
    const response = await graphqlRequest(
      production.url,
      '{ recipe(id: "1") { title } }',
      {},
      { 'x-request-id': 'masked-1' },
    );

    expect(response.headers.get('x-request-id')).toBe('masked-1');
    expect(response.errors).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-1' } },
    ]);
    expect(JSON.stringify(response)).not.toContain('hunter2');
    const logged = await waitFor(() =>
      jsonLines(production.logs).find(
        (line) => line.requestId === 'masked-1' && line.msg === 'unexpected error while resolving',
      ),
    );
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('passes a subgraph’s coded error on without the stack trace it carried', async () => {
    const response = await graphqlRequest(production.url, '{ comment(id: "1") { text } }');
    expect(response.errors).toEqual([
      {
        message: 'comment id is not valid',
        path: ['comment'],
        extensions: { code: 'BAD_USER_INPUT', serviceName: 'comments' },
      },
    ]);
    expect(JSON.stringify(response)).not.toContain('hunter2');
  });

  it('answers an operation name the document does not hold with 400, not a server error', async () => {
    const post = (body: unknown) =>
      fetch(production.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknown = await post({ query: 'query Listed { __typename }', operationName: 'Missing' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      errors: [{ message: 'Unknown operation named "Missing".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
    const ambiguous = await post({ query: 'query A { __typename } query B { __typename }' });
    expect(ambiguous.status).toBe(400);
    expect(await ambiguous.json()).toMatchObject({
      errors: [{ extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }],
    });
  });

  it('refuses introspection and does not suggest field names', async () => {
    const introspection = await graphqlRequest(production.url, INTROSPECTION);
    expect(errorCodes(introspection)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);

    const typo = await graphqlRequest(production.url, '{ recipez { totalCount } }');
    expect(errorCodes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('allows introspection when INTROSPECTION=true says so', async () => {
    const open = await gateway({ ...identities.productionEnv(), INTROSPECTION: 'true' });
    const response = await graphqlRequest(open.url, INTROSPECTION);
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses to start with STACKTRACES=true', async () => {
    await expect(gateway({ ...identities.productionEnv(), STACKTRACES: 'true' })).rejects.toThrow(
      /STACKTRACES: must be false when POTLUCK_MODE is production/,
    );
  });
});

describe('development mode', () => {
  it('has introspection on, and with STACKTRACES=true shows an internal error as it is', async () => {
    const development = await gateway({ STACKTRACES: 'true' });

    expect((await graphqlRequest(development.url, INTROSPECTION)).errors).toBeUndefined();
    const response = await graphqlRequest(development.url, '{ recipe(id: "1") { title } }');
    expect(response.errors?.[0]?.message).toContain('hunter2');
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: expect.any(String),
    });
    expect(response.errors?.[0]?.extensions?.stacktrace).toEqual(expect.any(Array));
  });
});
