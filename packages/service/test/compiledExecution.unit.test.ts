import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { compiledExecution } from '../src/graphql/compiledExecution.js';
import { BadUserInputError, createErrorFormatter } from '../src/graphql/errors.js';
import { DateTimeScalar } from '../src/graphql/scalars.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  scalar DateTime
  type Query { dish(id: ID!): Dish, dishes(first: Int!): [Dish!]!, failing: Dish! }
  type Dish @key(fields: "id") { id: ID!, name: String!, servedAt: DateTime!, sides: [Dish!]!, broken: String }
`);

const dishOf = (id: string) => ({ id, name: `dish ${id}`, servedAt: new Date(Date.UTC(2026, 0, Number(id))) });
const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    dish: (_: unknown, { id }: { id: string }) => dishOf(id),
    dishes: (_: unknown, { first }: { first: number }) => {
      if (first > 3) throw new BadUserInputError('first must be at most 3', 'first');
      return Array.from({ length: first }, (_unused, index) => dishOf(String(index + 1)));
    },
    failing: () => null,
  },
  Dish: {
    __resolveReference: ({ id }: { id: string }) => Promise.resolve(dishOf(id)),
    sides: ({ id }: { id: string }) => [dishOf(`${id}1`)],
    broken: () => {
      throw new Error('database password is hunter2');
    },
  },
};

function servers() {
  const schema = buildSubgraphSchema({ typeDefs, resolvers });
  const formatError = createErrorFormatter(pino({ level: 'silent' }));
  const plugins = [ApolloServerPluginInlineTraceDisabled()];
  return {
    compiled: new ApolloServer({ gateway: compiledExecution(schema), formatError, plugins }),
    interpreted: new ApolloServer({ schema, formatError, plugins }),
  };
}

async function bothAnswer(query: string, variables?: Record<string, unknown>) {
  const { compiled, interpreted } = servers();
  const answers = [];
  for (const server of [compiled, interpreted]) {
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    answers.push({ status: response.http.status, ...response.body.singleResult });
    await server.stop();
  }
  return answers;
}

describe('compiled execution (graphql-jit behind Apollo Server)', () => {
  it('answers as graphql-js does: nested lists, a custom scalar, @skip, aliases and _entities', async () => {
    const query = `query Menu($n: Int!, $noSides: Boolean!) {
      dishes(first: $n) { id name at: servedAt sides @skip(if: $noSides) { id servedAt } }
      _entities(representations: [{ __typename: "Dish", id: "7" }]) { ... on Dish { name servedAt } }
    }`;
    const [compiled, interpreted] = await bothAnswer(query, { n: 2, noSides: false });
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toMatchObject({
      dishes: [{ id: '1', at: '2026-01-01T00:00:00.000Z', sides: [{ id: '11' }] }, { id: '2' }],
      _entities: [{ name: 'dish 7', servedAt: '2026-01-07T00:00:00.000Z' }],
    });
  });

  it('keeps a domain error’s code, message and path', async () => {
    const [compiled, interpreted] = await bothAnswer('{ dishes(first: 5) { id } }');
    expect(compiled!.errors).toEqual([
      expect.objectContaining({
        message: 'first must be at most 3',
        path: ['dishes'],
        extensions: { code: 'BAD_USER_INPUT', field: 'first' },
      }),
    ]);
    expect(compiled!.errors).toEqual(interpreted!.errors);
  });

  it('hides an unexpected error as graphql-js’ execution does, with its path', async () => {
    const [compiled] = await bothAnswer('{ dish(id: "1") { id broken } }');
    expect(compiled!.data).toEqual({ dish: { id: '1', broken: null } });
    expect(compiled!.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        path: ['dish', 'broken'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    expect(JSON.stringify(compiled)).not.toContain('hunter2');
  });

  it('refuses a variable of the wrong type as the client’s error', async () => {
    const [compiled, interpreted] = await bothAnswer('query ($n: Int!) { dishes(first: $n) { id } }', { n: 'two' });
    expect(compiled!.data).toBeUndefined();
    expect(compiled!.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(compiled!.errors![0]!.message).toMatch(/\$n/);
    expect(interpreted!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('propagates a null in a non-null field to its parent, as graphql-js does', async () => {
    const [compiled, interpreted] = await bothAnswer('{ failing { id } }');
    expect(compiled!.data).toBeNull();
    expect(compiled!.errors!.map((error) => error.path)).toEqual([['failing']]);
    expect(interpreted!.data).toBeNull();
  });
});
