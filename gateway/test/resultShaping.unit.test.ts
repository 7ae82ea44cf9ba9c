import { readFileSync } from 'node:fs';
import { buildSchema as buildFederationSchema, operationFromDocument, Supergraph } from '@apollo/federation-internals';
import fc from 'fast-check';
import {
  execute,
  GraphQLEnumType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  getNamedType,
  buildSchema as buildGraphQLSchema,
  isAbstractType,
  parse,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLTypeResolver,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { apolloComputeResponse } from '../src/apolloResultShaping.js';
import { computeResponse, type ShapingInput } from '../src/resultShaping.js';
import { randomData as randomMergedData, randomOperation, seeded, shapingSchema } from './shapingCases.js';

const SDL = `
  interface Node { id: ID! }
  type Query {
    node(id: ID!): Node
    items: [Item!]
    maybe: [Item]
    search: [Result!]!
    count: Int!
    flag: Boolean
    status: Status
    when: DateTime
    grid: [[Int]]
  }
  type Item implements Node {
    id: ID!
    name: String!
    tags: [String!]
    rating: Float
    owner: Person
    children: [Item!]!
    status: Status!
  }
  type Person implements Node { id: ID!, name: String, friends: [Person], best: Result }
  union Result = Item | Person
  enum Status { OPEN CLOSED }
  scalar DateTime
`;

/** Operations that between them use every kind of selection the shaping handles. */
const OPERATIONS = [
  '{ count flag status when grid items { id name tags rating status } }',
  '{ first: items { key: id label: name } second: items { id owner { name } } }',
  '{ items { id children { id children { id name } } owner { id friends { name friends { id } } } } }',
  '{ search { __typename ... on Item { id name } ... on Person { id name best { ... on Node { id } } } } }',
  '{ node(id: "1") { id ... on Item { status tags } ... on Person { friends { id } } } }',
  '{ node(id: "1") { kind: __typename ... on Node { id } } tn: __typename }',
  'query ($a: Boolean!, $b: Boolean!) { items @include(if: $a) { id @skip(if: $b) name @include(if: $b) } count @skip(if: $a) }',
  'query ($a: Boolean = true) { maybe { ... on Item @include(if: $a) { id rating } ...Parts } }\nfragment Parts on Item { name status owner { id } }',
  '{ items { id ... on Item { id name owner { name } } owner { id } } }',
  '{ search { ... on Result { __typename } ... on Node { id } ... on Person { best { __typename ... on Item { name } } } } }',
  '{ __typename items { __typename } __type(name: "Item") { name } ... on Query { __type(name: "Item") { name } } }',
];

const federationSchema = buildFederationSchema(SDL);

/** A tiny seeded generator, so one fast-check integer decides a whole response. */
function randomFrom(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** What the random schema's resolvers draw from: each call of `randomData` gives its own. */
interface RandomContext {
  random: () => number;
}

function randomValue(type: GraphQLOutputType, depth: number, random: () => number): unknown {
  if (type instanceof GraphQLNonNull) return randomValue(type.ofType, depth, random);
  if (random() < 0.125 || depth > 4) return null;
  if (type instanceof GraphQLList)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(type.ofType, depth + 1, random));
  const named = getNamedType(type);
  if (named instanceof GraphQLEnumType) return random() < 0.5 ? 'OPEN' : 'CLOSED';
  if (named instanceof GraphQLScalarType) {
    if (named.name === 'Int') return Math.floor(random() * 100);
    if (named.name === 'Float') return random() * 10;
    if (named.name === 'Boolean') return random() < 0.5;
    return `v${Math.floor(random() * 1000)}`;
  }
  return {};
}

/**
 * An executable copy of the schema whose every field answers at random (lists of 0–3, null
 * one time in eight for nullable fields, abstract types resolved to either member), built once:
 * the randomness comes with each execution's context.
 */
const RANDOM_SCHEMA = (() => {
  const schema = buildGraphQLSchema(SDL);
  const fieldResolver: GraphQLFieldResolver<unknown, RandomContext> = (_source, _args, { random }, info) =>
    randomValue(info.returnType, info.path.key === undefined ? 0 : depthOf(info.path), random);
  const typeResolver: GraphQLTypeResolver<unknown, RandomContext> = (_value, { random }, _info, abstractType) => {
    const members = schema.getPossibleTypes(abstractType);
    return members[Math.floor(random() * members.length)]!.name;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type instanceof GraphQLObjectType && !type.name.startsWith('__')) {
      for (const field of Object.values(type.getFields())) field.resolve = fieldResolver;
    }
    if (isAbstractType(type)) type.resolveType = typeResolver;
  }
  return schema;
})();

/**
 * Data in the shape the operation asks for, aliases included, as graphql-js produces it from
 * the random schema: what the fetches of a query plan merge, before the mutations below break it.
 */
function randomData(operation: string, variables: Record<string, unknown>, seed: number): Record<string, unknown> {
  const contextValue: RandomContext = { random: randomFrom(seed) };
  const result = execute({
    schema: RANDOM_SCHEMA,
    document: parse(operation),
    variableValues: variables,
    rootValue: {},
    contextValue,
  });
  return (result as { data?: Record<string, unknown> | null }).data ?? {};
}

function depthOf(path: { prev: unknown }): number {
  let depth = 0;
  for (let at = path.prev as { prev: unknown } | undefined; at; at = at.prev as { prev: unknown } | undefined) depth++;
  return depth;
}

type Mutation = {
  at: number;
  change: 'null' | 'delete' | 'string' | 'number' | 'object' | 'list' | 'typename' | 'extra';
};

const TYPENAMES = ['Item', 'Person', 'Query', 'Node', 'Result', 'Status', 'Nope', '', 7];

/** Breaks the data the way a misbehaving subgraph could: the `at`-th object or list met depth first. */
function mutate(data: unknown, mutations: Mutation[], pick: () => number): void {
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const collect = (value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    containers.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) collect(child);
  };
  collect(data);
  for (const { at, change } of mutations) {
    const container = containers[at % containers.length];
    if (!container) return;
    const keys = Object.keys(container);
    const key = keys[Math.floor(pick() * keys.length)];
    if (change === 'typename' && !Array.isArray(container)) {
      container.__typename = TYPENAMES[Math.floor(pick() * TYPENAMES.length)];
      continue;
    }
    if (change === 'extra' && !Array.isArray(container)) {
      container[pick() < 0.5 ? 'id' : 'unasked'] = 'extra';
      continue;
    }
    if (key === undefined) continue;
    const target = container as Record<string, unknown>;
    if (change === 'delete') delete target[key];
    else
      target[key] = { null: null, string: 'text', number: 42, object: {}, list: [], typename: null, extra: null }[
        change
      ];
  }
}

/**
 * What a shaping gave: its data with undefined told apart from null, which objects have no
 * prototype, its errors, or what it threw. Each introspected field is answered with the
 * number of the call, so a field answered twice shows.
 */
function outcome(shape: (input: ShapingInput) => unknown, input: ShapingInput): unknown {
  let introspections = 0;
  const introspectionHandling = () => ({ name: `introspected ${++introspections}` });
  try {
    const { data, errors } = shape({ ...input, input: structuredClone(input.input), introspectionHandling }) as {
      data: unknown;
      errors: Array<Error & { path?: unknown; extensions: Record<string, unknown> }>;
    };
    return {
      data: JSON.stringify(data, (_key, value: unknown) => (value === undefined ? '(undefined)' : value)),
      prototypes: prototypesOf(data),
      errors: errors.map((error) => ({
        kind: error.constructor.name,
        message: error.message,
        path: error.path,
        extensions: JSON.stringify(error.extensions),
      })),
    };
  } catch (error) {
    return { threw: (error as Error).message, kind: (error as Error).constructor.name };
  }
}

function prototypesOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  const own = Object.getPrototypeOf(value) === null ? 'n' : Array.isArray(value) ? 'a' : 'o';
  return own + Object.values(value).map(prototypesOf).join('');
}

const introspectionHandling = () => ({ name: 'replaced in outcome' });

describe("Potluck's result shaping", () => {
  it("is compared with Apollo Gateway's own, not with itself", () => {
    expect(apolloComputeResponse).not.toBe(computeResponse);
    // Apollo's names its result enum; Potluck's has a constant of its own.
    expect(apolloComputeResponse.toString()).toContain('ApplyResult.NULL_BUBBLE_UP');
    expect(computeResponse.toString()).not.toContain('ApplyResult.NULL_BUBBLE_UP');
  });

  it("gives what Apollo Gateway's does for random operations, variables and half-broken data", () => {
    let generated = 0;
    const maybe = (...values: unknown[]) => fc.constantFrom<unknown>(...values, undefined);
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer(),
        fc.record({
          a: maybe(true, false, 'yes'),
          b: maybe(true, false),
          c: maybe(true, false),
          d: maybe(true, false, 1),
        }),
        (operationSeed, dataSeed, given) => {
          const source = randomOperation(seeded(operationSeed));
          let operation;
          try {
            operation = operationFromDocument(shapingSchema, parse(source));
          } catch {
            return; // the generator can write an invalid operation (a fragment on a type it cannot apply to)
          }
          generated++;
          const variables = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
          const input: ShapingInput = {
            operation,
            variables,
            input: randomMergedData(seeded(dataSeed), operation),
            introspectionHandling,
          };
          expect(outcome(computeResponse, input), source).toEqual(outcome(apolloComputeResponse, input));
        },
      ),
      { numRuns: 5000 },
    );
    expect(generated).toBeGreaterThan(1000);
  });

  it.each(OPERATIONS)("gives what Apollo Gateway's does, for well-formed and broken data: %s", (source) => {
    const document = parse(source);
    fc.assert(
      fc.property(
        fc.integer(),
        fc.record({ a: fc.boolean(), b: fc.boolean() }),
        fc.array(
          fc.record({
            at: fc.nat(200),
            change: fc.constantFrom<Mutation['change']>(
              'null',
              'delete',
              'string',
              'number',
              'object',
              'list',
              'typename',
              'extra',
            ),
          }),
          { maxLength: 4 },
        ),
        (seed, variables, mutations) => {
          const used = source.includes('$') ? variables : {};
          const data = randomData(source, used, seed);
          mutate(data, mutations, randomFrom(seed ^ 0x5eed));
          const operation = operationFromDocument(federationSchema, document);
          const input: ShapingInput = { operation, variables: used, input: data, introspectionHandling };
          expect(outcome(computeResponse, input)).toEqual(outcome(apolloComputeResponse, input));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("gives what Apollo Gateway's does for the benchmark's page of 20 recipes with 5 comments each", () => {
    const supergraph = Supergraph.build(
      readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8'),
    );
    const query = `query BenchPages($after: String) { recipes(first: 20, after: $after) { edges { node {
      id title timeMinutes price comments(first: 5) { totalCount edges { node { id author { id name } text createdAt } } } } } } }`;
    const operation = operationFromDocument(supergraph.apiSchema(), parse(query));
    const edges = Array.from({ length: 20 }, (_, recipe) => ({
      node: {
        __typename: 'Recipe',
        id: `r${recipe}`,
        title: `Recipe ${recipe}`,
        timeMinutes: 30,
        price: '12.50',
        comments: {
          totalCount: 5,
          edges: Array.from({ length: 5 }, (_, comment) => ({
            node: {
              id: `c${comment}`,
              author: { id: 'u1', name: 'Ada' },
              text: 'Lovely',
              createdAt: '2026-12-01T10:00:00.000Z',
            },
          })),
        },
      },
    }));
    const input: ShapingInput = { operation, variables: {}, input: { recipes: { edges } }, introspectionHandling };
    const ours = computeResponse(input);
    expect(outcome(computeResponse, input)).toEqual(outcome(apolloComputeResponse, input));
    expect(ours.errors).toEqual([]);
    const first = (ours.data as { recipes: { edges: Array<{ node: Record<string, unknown> }> } }).recipes.edges[0]!
      .node;
    expect(Object.keys(first)).toEqual(['id', 'title', 'timeMinutes', 'price', 'comments']);
  });
});
