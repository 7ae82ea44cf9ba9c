import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCodes, graphqlRequest, waitFor } from '@potluck/testing';
import { jsonLines } from './gatewayHelpers.js';
import { useStack } from './stack.js';

/** Every limit with its default, through the real gateway: each refusal is a GraphQL error with a code. */
const stack = useStack();

const RECIPE_FIELDS = 'id title description price timeMinutes createdAt updatedAt ingredients';
const WITH_COMMENTS = `${RECIPE_FIELDS} comments { totalCount edges { node { id text recipe { ${RECIPE_FIELDS} } } } }`;

/** comment → (recipe → comments → edges → node) × levels → recipe → comments → edges → cursor: 4 × levels + 5 fields deep. */
function nest(levels: number): string {
  let selection = 'recipe { comments { edges { cursor } } }';
  for (let level = 0; level < levels; level += 1) selection = `recipe { comments { edges { node { ${selection} } } } }`;
  return `{ comment(id: "x") { ${selection} } }`;
}

const COST_EXCEEDED = /^Query Cost limit of 500000 exceeded, found [\d.]+\.$/;

const recipesWithComments = (recipes: string, comments: string) =>
  `recipes(first: ${recipes}) { edges { node { ${RECIPE_FIELDS} comments(first: ${comments}) { edges { node { id text } } } } } }`;

async function refusal(query: string, variables: Record<string, unknown> = {}) {
  const response = await graphqlRequest(stack.gatewayUrl, query, variables);
  expect(response.data ?? undefined).toBeUndefined();
  return { status: response.status, codes: errorCodes(response), message: response.errors?.[0]?.message ?? '' };
}

describe('query limits', () => {
  it('refuses a query deeper than 12 levels with QUERY_TOO_DEEP', async () => {
    expect(await refusal(nest(2))).toEqual({
      status: 400,
      codes: ['QUERY_TOO_DEEP'],
      message: 'Query depth limit of 12 exceeded, found 13.',
    });
  });

  it('refuses more than 30 aliases with TOO_MANY_ALIASES', async () => {
    const aliases = Array.from({ length: 31 }, (_, index) => `r${index}: recipe(id: "x") { id }`).join(' ');
    expect(await refusal(`{ ${aliases} }`)).toEqual({
      status: 400,
      codes: ['TOO_MANY_ALIASES'],
      message: 'Aliases limit of 30 exceeded, found 31.',
    });
  });

  it('refuses a query that costs more than 500000 with QUERY_TOO_COSTLY (100 recipes × 100 comments)', async () => {
    const literal = await refusal(`{ ${recipesWithComments('100', '100')} }`);
    expect(literal).toEqual({
      status: 400,
      codes: ['QUERY_TOO_COSTLY'],
      message: expect.stringMatching(COST_EXCEEDED),
    });
  });

  it('costs page sizes given by variables at their values, refusing them like literal ones', async () => {
    const query = `query Pages($a: Int, $b: Int) { ${recipesWithComments('$a', '$b')} }`;
    expect(await refusal(query, { a: 100, b: 100 })).toEqual({
      status: 400,
      codes: ['QUERY_TOO_COSTLY'],
      message: expect.stringMatching(COST_EXCEEDED),
    });
    const small = await graphqlRequest(stack.gatewayUrl, query, { a: 10, b: 10 });
    expect(small.errors).toBeUndefined();
  });

  it('refuses more than 50 directives with TOO_MANY_DIRECTIVES', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ');
    const { codes } = await refusal(`{ ${fields} }`);
    expect(codes).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  it('refuses a document of more than 1000 tokens while parsing', async () => {
    const { status, codes, message } = await refusal(`{ ${'__typename '.repeat(1001)}}`);
    expect({ status, codes }).toEqual({ status: 400, codes: ['GRAPHQL_PARSE_FAILED'] });
    expect(message).toMatch(/more th\w+ 1000 tokens/);
  });

  it('refuses first above 100 at the gateway, literal or variable, before any subgraph is asked', async () => {
    const literal = await refusal('{ recipes(first: 101) { totalCount } }');
    expect(literal).toEqual({
      status: 400,
      codes: ['BAD_USER_INPUT'],
      message: 'first must be between 1 and 100, got 101',
    });

    const requestId = `limits-${randomUUID()}`;
    const response = await graphqlRequest(
      stack.gatewayUrl,
      'query Page($n: Int) { recipes(first: 5) { edges { node { comments(first: $n) { totalCount } } } } }',
      { n: 500 },
      { 'x-request-id': requestId },
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    await waitFor(() => (jsonLines(stack.logs).some((line) => line.requestId === requestId) ? true : undefined));
    expect(stack.logs.filter((line) => line.includes(requestId)).every((line) => line.startsWith('[gateway]'))).toBe(
      true,
    );
  });

  it('lets a full page of recipes with their comments through', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      `{ recipes(first: 100) { edges { node { ${WITH_COMMENTS} } } } }`,
    );
    expect(response.errors).toBeUndefined();
  });
});

describe('request body', () => {
  it('refuses a body over 1 MB with 413 and PAYLOAD_TOO_LARGE, as a GraphQL error', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'The request body is larger than the limit of 1048576 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
  });

  it('refuses a body that is not JSON with 400 and BAD_REQUEST', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('CSRF prevention', () => {
  const get = (headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers });

  it('refuses a simple GET without a preflight header', async () => {
    const response = await get();
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]?.message).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses a text/plain POST, which a form on another site could send', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { deleteRecipe(id: "x") }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('serves a GET that carries apollo-require-preflight', async () => {
    const response = await get({ 'apollo-require-preflight': 'true' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
