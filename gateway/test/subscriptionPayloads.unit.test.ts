import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, GraphQLError, parse, print, type ExecutionResult } from 'graphql';
import { costRules, createErrorFormatter, createLogger, queryLimits, scalarLiteralsRule } from '@potluck/service';
import { commentEventFixture } from '@potluck/testing';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decodeCursor } from '../src/subscriptions/cursor.js';
import { createPayloads, PayloadUnavailable } from '../src/subscriptions/payloads.js';
import { prepareSubscription, SubscriptionRefused } from '../src/subscriptions/prepare.js';
import type { EventEntry } from '../src/subscriptions/streamReader.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../schema/api.graphql', import.meta.url)), 'utf8'));
const config = loadConfig({});
const limits = {
  validationRules: [...queryLimits(config).validationRules, scalarLiteralsRule()],
  costRules: costRules(config.MAX_COST),
  maxPageSize: config.MAX_PAGE_SIZE,
};
const format = createErrorFormatter(createLogger('test', 'silent'));

function prepare(query: string, variables: Record<string, unknown> = {}) {
  return prepareSubscription(schema, { document: parse(query), variables }, limits);
}

function refusalCodes(query: string, variables: Record<string, unknown> = {}): string[] {
  try {
    prepare(query, variables);
    return [];
  } catch (error) {
    if (!(error instanceof SubscriptionRefused)) throw error;
    return error.errors.map((refusal) => String(format(refusal.toJSON(), refusal).extensions?.code ?? 'none'));
  }
}

const recipeId = randomUUID();
const entry = (event = commentEventFixture('comment.added', recipeId)): EventEntry => ({
  kind: 'event',
  offset: 42,
  event,
});

describe('preparing a subscription', () => {
  it('reads the filter and the cursor, and derives the query for the payload’s entity only', () => {
    const prepared = prepare(
      `subscription($r: ID!, $after: String, $n: Int) {
        live: commentAdded(recipeId: $r, after: $after) {
          cursor
          comment { ...Text recipe { comments(first: $n) { totalCount } } }
          again: comment { id }
        }
      }
      fragment Text on Comment { text }`,
      { r: recipeId, after: 'djE6NzpkZWQ0YzA2Ny0wNTJkLTRjNjctOTM0YS1hNmU2OGFiNjQ0MjM', n: 3 },
    );
    expect(prepared.filter).toMatchObject({ field: { name: 'commentAdded' }, key: recipeId });
    expect(prepared.after).toEqual(decodeCursor('djE6NzpkZWQ0YzA2Ny0wNTJkLTRjNjctOTM0YS1hNmU2OGFiNjQ0MjM'));
    expect(prepared.rootKey).toBe('live');
    expect(print(prepared.entityQuery.document)).toBe(
      print(
        parse(`query SubscriptionPayload($potluckEntityId: ID!, $n: Int) {
          comment: comment(id: $potluckEntityId) { ...Text recipe { comments(first: $n) { totalCount } } }
          again: comment(id: $potluckEntityId) { id }
        }
        fragment Text on Comment { text }`),
      ),
    );
    expect(prepared.entityQuery.variables).toEqual({ n: 3 });
  });

  it('applies the query limits, and refuses what is not a subscription or a bad cursor', () => {
    const deep = `subscription { commentAdded(recipeId: "${recipeId}") { comment { recipe { comments { edges { node { recipe { comments { edges { node { recipe { comments { totalCount } } } } } } } } } } } } }`;
    expect(refusalCodes(deep)).toEqual(['QUERY_TOO_DEEP']);
    const aliases = Array.from({ length: 31 }, (_, n) => `a${n}: cursor`).join(' ');
    expect(refusalCodes(`subscription { commentAdded(recipeId: "x") { ${aliases} } }`)).toEqual(['TOO_MANY_ALIASES']);
    expect(
      refusalCodes(
        'subscription { commentAdded(recipeId: "x") { comment { recipe { comments(first: 101) { totalCount } } } } }',
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(refusalCodes('{ recipes { totalCount } }')).toEqual(['NOT_A_SUBSCRIPTION']);
    expect(refusalCodes('subscription { commentAdded(recipeId: "x", after: "nope") { cursor } }')).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(refusalCodes('subscription { commentAdded { cursor } }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(refusalCodes('subscription($r: ID!) { commentAdded(recipeId: $r) { cursor } }', { r: {} })).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('resolving payloads', () => {
  const query = `subscription($r: ID!) { commentAdded(recipeId: $r) { cursor comment { t: text recipe { title } } } }`;

  function payloadsWith(answer: () => Promise<ExecutionResult> | ExecutionResult) {
    const calls: Array<Record<string, unknown>> = [];
    const payloads = createPayloads({
      execute: async (request, context) => {
        calls.push({ ...request.variables, viewer: context.viewer?.id ?? null });
        return answer();
      },
      format,
    });
    return { payloads, calls };
  }

  it('shapes the fetched entity by the subscriber’s selection, with the event’s cursor', async () => {
    const { payloads } = payloadsWith(() => ({ data: { comment: { t: 'hello', recipe: { title: 'Soup' } } } }));
    const resolved = await payloads(prepare(query, { r: recipeId }), entry(), null);
    expect(resolved).toEqual({
      kind: 'payload',
      result: {
        data: { commentAdded: { cursor: expect.any(String), comment: { t: 'hello', recipe: { title: 'Soup' } } } },
      },
    });
    const { cursor } = (resolved as unknown as { result: { data: { commentAdded: { cursor: string } } } }).result.data
      .commentAdded;
    expect(decodeCursor(cursor).offset).toBe(42);
  });

  it('shares one fetch among subscribers with the same selection, across viewers when it is viewer-independent', async () => {
    const { payloads, calls } = payloadsWith(async () => ({ data: { comment: { t: 'x', recipe: null } } }));
    const one = entry();
    const ana = { id: 'ana', name: 'Ana', roles: [] };
    await Promise.all([
      payloads(prepare(query, { r: recipeId }), one, null),
      payloads(prepare(query, { r: recipeId }), one, null),
      payloads(prepare(query, { r: recipeId }), one, ana),
      payloads(prepare(query, { r: recipeId }), one, ana),
    ]);
    expect(calls).toEqual([{ potluckEntityId: one.event.aggregateId, viewer: null }]);
  });

  it('skips an entity that no longer exists, and reports one it could not fetch', async () => {
    const gone = payloadsWith(() => ({ data: { comment: null } }));
    expect(await gone.payloads(prepare(query, { r: recipeId }), entry(), null)).toEqual({ kind: 'gone' });
    const down = payloadsWith(() => ({
      data: { comment: null },
      errors: [
        new GraphQLError('The comments subgraph is unavailable', { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }),
      ],
    }));
    const failure = await down
      .payloads(prepare(query, { r: recipeId }), entry(), null)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PayloadUnavailable);
    expect((failure as PayloadUnavailable).code).toBe('SUBGRAPH_UNAVAILABLE');
  });

  it('passes a partial failure on with the path under the subscription field', async () => {
    const { payloads } = payloadsWith(() => ({
      data: { comment: { t: 'hi', recipe: null } },
      errors: [
        new GraphQLError('The recipes subgraph is unavailable', {
          path: ['comment', 'recipe'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
        }),
      ],
    }));
    const resolved = await payloads(prepare(query, { r: recipeId }), entry(), null);
    const result = (resolved as { result: ExecutionResult }).result;
    expect(result.data).toMatchObject({ commentAdded: { comment: { t: 'hi', recipe: null } } });
    expect(result.errors?.map((error) => error.toJSON())).toEqual([
      {
        message: 'The recipes subgraph is unavailable',
        path: ['commentAdded', 'comment', 'recipe'],
        extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
      },
    ]);
  });
});
