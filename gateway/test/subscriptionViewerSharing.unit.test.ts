import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, extendSchema, parse, type GraphQLSchema } from 'graphql';
import { costRules, createErrorFormatter, createLogger, queryLimits, scalarLiteralsRule } from '@potluck/service';
import { commentEventFixture, testUsers } from '@potluck/testing';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createPayloads } from '../src/subscriptions/payloads.js';
import { prepareSubscription } from '../src/subscriptions/prepare.js';
import type { EventEntry } from '../src/subscriptions/streamReader.js';

const apiSchema = buildSchema(
  readFileSync(fileURLToPath(new URL('../../schema/api.graphql', import.meta.url)), 'utf8'),
);
/** The API with fields nobody declared viewer-independent, as a reloaded supergraph could add. */
const extendedSchema = extendSchema(
  apiSchema,
  parse(`
    extend type Comment { likedByViewer: Boolean! }
    extend type User { email: String }
    extend type Recipe { notes: [Note!]! }
    type Note { text: String! }
  `),
);
const config = loadConfig({});
const limits = {
  validationRules: [...queryLimits(config).validationRules, scalarLiteralsRule()],
  costRules: costRules(config.MAX_COST),
  maxPageSize: config.MAX_PAGE_SIZE,
};
const recipeId = randomUUID();

const prepare = (query: string, schema: GraphQLSchema = apiSchema) =>
  prepareSubscription(schema, { document: parse(query), variables: { r: recipeId } }, limits);
const shared = (query: string, schema?: GraphQLSchema) => prepare(query, schema).sharedAcrossViewers;

describe('whether a subscription’s payload may be shared across viewers', () => {
  it('shares the usual selections: every field they reach is declared viewer-independent', () => {
    expect(
      shared(`subscription($r: ID!) {
        commentAdded(recipeId: $r) { cursor comment { text author { name } recipe { title commentCount } } }
      }`),
    ).toBe(true);
    expect(
      shared(`subscription($r: ID!) {
        recipeUpdated(id: $r) { recipe { title comments { edges { node { text } } } } }
      }`),
    ).toBe(true);
  });

  it('shares selections with fragments, inline fragments, aliases, __typename and the whole connection', () => {
    expect(
      shared(`subscription($r: ID!) {
        live: recipeUpdated(id: $r) {
          __typename
          mine: recipe { __typename ...Recipe ... on Recipe { heading: title author { id name } } }
        }
      }
      fragment Recipe on Recipe {
        id description ingredients timeMinutes price createdAt updatedAt
        comments(first: 5) { totalCount pageInfo { endCursor hasNextPage } edges { cursor node { ...Comment } } }
      }
      fragment Comment on Comment { __typename id text createdAt author { id } recipe { id } }`),
    ).toBe(true);
  });

  it('keeps per viewer a selection reaching a field nobody declared, however it is reached', () => {
    const undeclared = [
      'comment { text likedByViewer }',
      'comment { author { name email } }',
      'comment { ...Liked }',
      'comment { ... on Comment { recipe { notes { text } } } }',
      'alias: comment { text } comment { text likedByViewer }',
    ];
    for (const selection of undeclared) {
      const fragment = selection.includes('...Liked') ? 'fragment Liked on Comment { likedByViewer }' : '';
      const query = `subscription($r: ID!) { commentAdded(recipeId: $r) { ${selection} } } ${fragment}`;
      expect(shared(query, extendedSchema), selection).toBe(false);
    }
    expect(shared(`subscription($r: ID!) { commentAdded(recipeId: $r) { comment { text } } }`, extendedSchema)).toBe(
      true,
    );
  });
});

describe('resolving a payload for many viewers', () => {
  const format = createErrorFormatter(createLogger('test', 'silent'));
  const entry: EventEntry = { kind: 'event', offset: 7, event: commentEventFixture('comment.added', recipeId) };
  const viewers = [null, testUsers.ana, testUsers.joe, testUsers.moderator];

  async function fetchedAs(query: string, schema: GraphQLSchema) {
    const calls: Array<string | null> = [];
    const payloads = createPayloads({
      execute: async (_request, context) => {
        calls.push(context.viewer?.id ?? null);
        return { data: { comment: { text: 'hi', likedByViewer: false } } };
      },
      format,
    });
    const results = await Promise.all(viewers.map((viewer) => payloads(prepare(query, schema), entry, viewer)));
    return { calls, results };
  }

  it('fetches once, as the anonymous viewer, when the selection is viewer-independent', async () => {
    const { calls, results } = await fetchedAs(
      'subscription($r: ID!) { commentAdded(recipeId: $r) { comment { text } } }',
      apiSchema,
    );
    expect(calls).toEqual([null]);
    for (const result of results) {
      expect(result).toEqual({ kind: 'payload', result: { data: { commentAdded: { comment: { text: 'hi' } } } } });
    }
  });

  it('fetches once per viewer, as that viewer, when the selection reaches an undeclared field', async () => {
    const { calls } = await fetchedAs(
      'subscription($r: ID!) { commentAdded(recipeId: $r) { comment { text likedByViewer } } }',
      extendedSchema,
    );
    expect(calls).toEqual([null, 'ana', 'joe', 'mo']);
  });
});
