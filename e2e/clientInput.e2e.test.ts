import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@potluck/service';
import { errorCodes, graphqlRequest } from '@potluck/testing';
import { logEntries, queryRows } from './stackProbes.js';
import { useStack } from './stack.js';

/**
 * Client mistakes are answered as client errors that name what is wrong, never as
 * INTERNAL_SERVER_ERROR, and a client's input is never echoed back (or logged) in full.
 */
const stack = useStack();

const CREATE = `mutation Create($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }`;
const recipeCount = async () => (await queryRows(stack.databaseUrls.recipes, 'SELECT id FROM recipes')).length;
const errorLines = (name: 'gateway' | 'recipes' | 'comments') =>
  logEntries(stack, name).filter((entry) => Number(entry.level) >= 50);

describe('input a scalar refuses', () => {
  it('a Decimal literal in a filter is BAD_USER_INPUT naming the input field', async () => {
    const response = await graphqlRequest(stack.gatewayUrl, '{ recipes(filter: { maxPrice: "abc" }) { totalCount } }');
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/^filter\.maxPrice: Decimal must be/);
    expect(response.errors?.[0]?.extensions?.field).toBe('filter.maxPrice');
  });

  it('a Decimal variable "12,50" is BAD_USER_INPUT naming the variable field, and nothing is written', async () => {
    const before = await recipeCount();
    const input = { title: 'Comma price', timeMinutes: 5, price: '12,50' };
    const response = await graphqlRequest(stack.gatewayUrl, CREATE, { input });
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toMatch(/^\$input\.price: Decimal must be/);
    expect(await recipeCount()).toBe(before);
  });

  it('an object where a Decimal belongs is BAD_USER_INPUT naming the field, at the gateway', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      '{ recipes(filter: { maxPrice: { a: 1 } }) { totalCount } }',
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('filter.maxPrice');
  });
});

describe('cursors', () => {
  it.each([
    [
      'recipes',
      `{ recipes(after: "${encodeCursor('NEWEST', ['0000-01-01T00:00:00.000Z', '0190d4a8-0000-7000-8000-000000000000'])}") { totalCount } }`,
    ],
    [
      'recipes',
      `{ recipes(after: "${encodeCursor('NEWEST', ['+275760-09-13T00:00:00.000Z', '0190d4a8-0000-7000-8000-000000000000'])}") { totalCount } }`,
    ],
  ])('a well-formed %s cursor holding a date Postgres cannot store is BAD_USER_INPUT on `after`', async (_, query) => {
    const response = await graphqlRequest(stack.gatewayUrl, query);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('after');
  });

  it('a comments cursor holding year 0 is BAD_USER_INPUT on `after`', async () => {
    const created = await graphqlRequest<{ createRecipe: { id: string } }>(stack.gatewayUrl, CREATE, {
      input: { title: 'Cursor target', timeMinutes: 5, price: '1' },
    });
    const id = created.data!.createRecipe.id;
    const cursor = encodeCursor('COMMENTS', ['0000-01-01T00:00:00.000Z', id]);
    const response = await graphqlRequest(
      stack.gatewayUrl,
      `{ recipe(id: "${id}") { comments(after: "${cursor}") { totalCount } } }`,
    );
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('after');
  });

  it('none of the above was logged as an unexpected error', () => {
    expect(errorLines('gateway')).toEqual([]);
    expect(errorLines('recipes')).toEqual([]);
    expect(errorLines('comments')).toEqual([]);
  });
});

describe('echoed input', () => {
  const huge = 'x'.repeat(900_000);

  /** The response body as sent (signed in, so a mutation gets as far as its argument), unparsed: its size is what is under test. */
  async function rawAnswer(query: string, variables: Record<string, unknown>): Promise<string> {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await stack.identities.bearer()) },
      body: JSON.stringify({ query, variables }),
    });
    return response.text();
  }

  it('a huge id comes back as a short prefix, in the response and in the logs', async () => {
    const text = await rawAnswer('mutation($id: ID!) { deleteRecipe(id: $id) }', { id: huge });
    expect(text.length).toBeLessThan(2_000);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('NOT_FOUND');
    const longest = Math.max(...stack.logs.map((line) => line.length));
    expect(longest).toBeLessThan(20_000);
  });

  it('a huge value GraphQL itself refuses is quoted short', async () => {
    const text = await rawAnswer('query($n: Int) { recipes(first: $n) { totalCount } }', { n: huge });
    expect(text.length).toBeLessThan(2_000);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('a subgraph reached directly', () => {
  /** comment → recipe → comments(first: 100) → … : 100⁴ nodes if nothing stops it. */
  function recursion(levels: number): string {
    let selection = 'id';
    for (let level = 0; level < levels; level += 1) {
      selection = `recipe { comments(first: 100) { edges { node { id ${selection} } } } }`;
    }
    return `{ comment(id: "0190d4a8-0000-7000-8000-000000000000") { ${selection} } }`;
  }

  it('applies its own depth and cost limits', async () => {
    const response = await graphqlRequest(stack.commentsUrl, recursion(4));
    expect(response.status).toBe(400);
    expect(errorCodes(response)[0]).toMatch(/^QUERY_TOO_(DEEP|COSTLY)$/);
  });

  it('still answers what a gateway plans', async () => {
    const response = await graphqlRequest(
      stack.gatewayUrl,
      '{ recipes(first: 100) { edges { node { id comments(first: 20) { totalCount } } } } }',
    );
    expect(response.errors).toBeUndefined();
  });
});
