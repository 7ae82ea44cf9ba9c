import { describe, expect, it } from 'vitest';
import {
  createClient,
  CreateRecipeDocument,
  DeleteRecipeDocument,
  GraphQLRequestError,
  RecipeDocument,
  RecipesWithCommentsDocument,
} from '../src/index.js';

interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: { query: string; operationName?: string; variables: Record<string, unknown> };
}

/** A stand-in for the network: records what the client sent and answers with a canned response. */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    sent.push({
      url: String(input),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: JSON.parse(String(init?.body)) as SentRequest['body'],
    });
    return answer();
  };
  return { sent, fetch: fetchFn };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const URL = 'http://127.0.0.1:4000/graphql';

async function rejection(promise: Promise<unknown>): Promise<GraphQLRequestError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GraphQLRequestError);
  return error as GraphQLRequestError;
}

describe('createClient().request', () => {
  it('posts the printed document, its name and variables, and resolves to the data', async () => {
    const network = fakeFetch(() => json({ data: { deleteRecipe: 'r1' } }));
    const client = createClient({ url: URL, fetch: network.fetch });

    const data = await client.request(DeleteRecipeDocument, { id: 'r1' });

    expect(data).toEqual({ deleteRecipe: 'r1' });
    expect(network.sent).toHaveLength(1);
    const [request] = network.sent;
    expect(request?.url).toBe(URL);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body.operationName).toBe('DeleteRecipe');
    expect(request?.body.query).toMatch(/^mutation DeleteRecipe\(\$id: ID!\) {\s+deleteRecipe\(id: \$id\)\s+}$/);
    expect(request?.body.variables).toEqual({ id: 'r1' });
  });

  it('sends the client headers and per-request headers, the latter winning', async () => {
    const network = fakeFetch(() => json({ data: { recipe: null } }));
    const client = createClient({
      url: URL,
      fetch: network.fetch,
      headers: { authorization: 'Bearer a', 'x-team': 'web' },
    });

    await client.request(
      RecipeDocument,
      { id: 'x' },
      { headers: { authorization: 'Bearer b', 'x-request-id': 'r-1' } },
    );

    expect(network.sent[0]?.headers).toMatchObject({
      authorization: 'Bearer b',
      'x-team': 'web',
      'x-request-id': 'r-1',
    });
  });

  it('lets an operation whose variables are all optional be sent without any', async () => {
    const network = fakeFetch(() =>
      json({ data: { recipes: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } }),
    );
    const client = createClient({ url: URL, fetch: network.fetch });

    const data = await client.request(RecipesWithCommentsDocument);

    expect(data.recipes.totalCount).toBe(0);
    expect(network.sent[0]?.body.variables).toEqual({});
  });

  it('rejects with the errors, their codes and the partial data', async () => {
    const errors = [
      { message: 'comments unavailable', path: ['recipe', 'comments'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      { message: 'second', extensions: { code: 'NOT_FOUND' } },
    ];
    const partial = { recipe: { id: 'r1', title: 'Dal', comments: null } };
    const client = createClient({ url: URL, fetch: fakeFetch(() => json({ data: partial, errors })).fetch });

    const error = await rejection(client.request(RecipeDocument, { id: 'r1' }));

    expect(error.codes).toEqual(['INTERNAL_SERVER_ERROR', 'NOT_FOUND']);
    expect(error.errors[0]?.path).toEqual(['recipe', 'comments']);
    expect(error.data).toEqual(partial);
    expect(error.status).toBe(200);
    expect(error.operationName).toBe('Recipe');
    expect(error.message).toBe('Recipe: comments unavailable (INTERNAL_SERVER_ERROR); second (NOT_FOUND)');
  });

  it('rejects on a request error answered with status 400 and no data', async () => {
    const body = {
      errors: [{ message: 'Variable "$input" got invalid value', extensions: { code: 'BAD_USER_INPUT' } }],
    };
    const client = createClient({ url: URL, fetch: fakeFetch(() => json(body, 400)).fetch });

    const input = { title: 'x', timeMinutes: 1, price: '1' };
    const error = await rejection(client.request(CreateRecipeDocument, { input }));

    expect(error.status).toBe(400);
    expect(error.codes).toEqual(['BAD_USER_INPUT']);
    expect(error.data).toBeUndefined();
  });

  it('rejects on a response that is not GraphQL, quoting it with the status', async () => {
    const page = new Response('<html>502 Bad Gateway</html>', { status: 502 });
    const client = createClient({ url: URL, fetch: fakeFetch(() => page).fetch });

    const error = await rejection(client.request(DeleteRecipeDocument, { id: 'r1' }));

    expect(error.status).toBe(502);
    expect(error.errors).toEqual([]);
    expect(error.message).toBe('DeleteRecipe: HTTP 502 without data: <html>502 Bad Gateway</html>');
  });

  it('rejects when a successful response carries neither data nor errors', async () => {
    const client = createClient({ url: URL, fetch: fakeFetch(() => json({ data: null })).fetch });

    const error = await rejection(client.request(DeleteRecipeDocument, { id: 'r1' }));

    expect(error.status).toBe(200);
    expect(error.message).toMatch(/^DeleteRecipe: HTTP 200 without data/);
  });

  it('rejects when no response arrives, keeping the cause', async () => {
    const refused = new TypeError('fetch failed');
    const client = createClient({
      url: URL,
      fetch: fakeFetch(() => {
        throw refused;
      }).fetch,
    });

    const error = await rejection(client.request(DeleteRecipeDocument, { id: 'r1' }));

    expect(error.status).toBeUndefined();
    expect(error.cause).toBe(refused);
    expect(error.message).toBe(`DeleteRecipe: no response from ${URL}: fetch failed`);
  });
});
