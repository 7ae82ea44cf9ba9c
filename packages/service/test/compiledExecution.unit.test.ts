import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, print, validate, type GraphQLResolveInfo } from 'graphql';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compilableDocument,
  MAX_COMPILED_DOCUMENT_LENGTH,
  MAX_COMPILED_FIELDS,
} from '../src/graphql/compilableDocument.js';
import {
  compiledExecution,
  documentPlans,
  MAX_COMPILED_FIELDS_KEPT,
  MAX_COMPILED_PLANS,
} from '../src/graphql/compiledExecution.js';
import { BadUserInputError, createErrorFormatter } from '../src/graphql/errors.js';
import { DateTimeScalar, DecimalScalar } from '../src/graphql/scalars.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  scalar DateTime
  scalar Decimal
  input DishFilter { names: [String!]!, servedAfter: DateTime }
  type Query {
    dish(id: ID!): Dish
    dishes(first: Int!): [Dish!]!
    failing: Dish!
    named(filter: DishFilter!): [String!]!
    filterKeys(filter: DishFilter!): [String!]!
    priced(price: Decimal!): String!
  }
  type Dish @key(fields: "id") {
    id: ID!
    name: String!
    servedAt: DateTime!
    sides: [Dish!]!
    broken: String
    selected: [String!]!
  }
`);

const dishOf = (id: string) => ({ id, name: `dish ${id}`, servedAt: new Date(Date.UTC(2026, 0, Number(id) || 1)) });
const resolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  Query: {
    dish: (_: unknown, { id }: { id: string }) => dishOf(id),
    dishes: (_: unknown, { first }: { first: number }) => {
      if (first > 3) throw new BadUserInputError('first must be at most 3', 'first');
      return Array.from({ length: first }, (_unused, index) => dishOf(String(index + 1)));
    },
    failing: () => null,
    named: (_: unknown, { filter }: { filter: { names: string[]; servedAfter?: Date } }) => [
      ...filter.names,
      filter.servedAfter?.toISOString() ?? 'any time',
    ],
    priced: (_: unknown, { price }: { price: string }) => `costs ${price}`,
    filterKeys: (_: unknown, { filter }: { filter: object }) => Object.keys(filter),
  },
  Dish: {
    __resolveReference: ({ id }: { id: string }) => Promise.resolve(dishOf(id)),
    sides: ({ id }: { id: string }) => [dishOf(`${id}1`)],
    broken: () => {
      throw new Error('database password is hunter2');
    },
    // What a resolver sees of its own selection, as `selectsField` reads it.
    selected: (_: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) =>
      info.fieldNodes.flatMap((node) => node.selectionSet?.selections.map((selection) => print(selection)) ?? []),
  },
};

const schema = buildSubgraphSchema({ typeDefs, resolvers });
const silent = pino({ level: 'silent' });

async function answerOf(
  server: ApolloServer,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
) {
  const response = await server.executeOperation({ query, variables, operationName });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return { status: response.http.status, ...response.body.singleResult };
}

/**
 * The compiled server's answer and graphql-js' own. A document is compiled the second time it
 * arrives (the first runs on graphql-js), so the compiled server is asked twice.
 */
async function bothAnswer(query: string, variables?: Record<string, unknown>) {
  const formatError = createErrorFormatter(silent);
  const plugins = [ApolloServerPluginInlineTraceDisabled()];
  const compiledServer = new ApolloServer({ gateway: compiledExecution(schema, silent), formatError, plugins });
  const interpretedServer = new ApolloServer({ schema, formatError, plugins });
  await Promise.all([compiledServer.start(), interpretedServer.start()]);
  try {
    await answerOf(compiledServer, query, variables);
    return [await answerOf(compiledServer, query, variables), await answerOf(interpretedServer, query, variables)];
  } finally {
    await compiledServer.stop();
    await interpretedServer.stop();
  }
}

/** The tail graphql-jit 0.8.9 turned into code: `"<MAGIC_DATE><text>"` became `new Date(<text>)`. */
const MAGIC_DATE = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d';
const INJECTED = `${MAGIC_DATE}0)&&0||(globalThis.potluckInjected=process.pid`;
const injected = () => (globalThis as { potluckInjected?: unknown }).potluckInjected;

describe('compiled execution (graphql-jit behind Apollo Server)', () => {
  afterEach(() => {
    delete (globalThis as { potluckInjected?: unknown }).potluckInjected;
  });

  it('answers as graphql-js does: nested lists, a custom scalar, aliases, literals and _entities', async () => {
    const query = `query Menu($n: Int!, $dishes: [_Any!]!) {
      dishes(first: $n) { id name at: servedAt sides { id servedAt } }
      dish(id: "4") { name }
      named(filter: { names: ["soup", "bread"], servedAfter: "2026-02-01T00:00:00.000Z" })
      priced(price: "12.50")
      cheap: priced(price: 3)
      _entities(representations: $dishes) { ... on Dish { name servedAt } }
    }`;
    const variables = { n: 2, dishes: [{ __typename: 'Dish', id: '7' }] };
    expect(compilableDocument(schema, parse(query))).not.toHaveProperty('reason');
    const [compiled, interpreted] = await bothAnswer(query, variables);
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toMatchObject({
      dishes: [{ id: '1', at: '2026-01-01T00:00:00.000Z', sides: [{ id: '11' }] }, { id: '2' }],
      dish: { name: 'dish 4' },
      named: ['soup', 'bread', '2026-02-01T00:00:00.000Z'],
      priced: 'costs 12.50',
      cheap: 'costs 3',
      _entities: [{ name: 'dish 7', servedAt: '2026-01-07T00:00:00.000Z' }],
    });
  });

  it('runs no code a client writes in a string literal, wherever the literal is', async () => {
    const quoted = JSON.stringify(INJECTED);
    const query = `query Injected($fallback: ID = ${quoted}) {
      dish(id: ${quoted}) { name }
      named(filter: { names: [${quoted}] })
      again: dish(id: $fallback) { id }
    }`;
    const [compiled, interpreted] = await bothAnswer(query);
    expect(injected()).toBeUndefined();
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toEqual({
      dish: { name: `dish ${INJECTED}` },
      named: [INJECTED, 'any time'],
      again: { id: INJECTED },
    });
  });

  it('leaves to graphql-js a string inside a custom scalar, which has no type to move it into a variable', async () => {
    const query = `{ _entities(representations: [{ __typename: "Dish", id: ${JSON.stringify(INJECTED)} }]) { ... on Dish { id } } }`;
    expect(compilableDocument(schema, parse(query))).toEqual({ reason: 'a literal of type _Any' });
    const [compiled, interpreted] = await bothAnswer(query);
    expect(injected()).toBeUndefined();
    expect(compiled).toEqual(interpreted);
  });

  it('runs no code a client writes as an enum value inside a custom scalar', async () => {
    let evaluated = false;
    Object.defineProperty(globalThis, 'potluckProbe', {
      configurable: true,
      get: () => {
        evaluated = true;
        return 0;
      },
    });
    try {
      const query = `{ _entities(representations: [{ __typename: Dish, id: ${MAGIC_DATE}potluckProbe }]) { ... on Dish { id } } }`;
      expect(compilableDocument(schema, parse(query))).toEqual({ reason: 'a literal of type _Any' });
      const [compiled, interpreted] = await bothAnswer(query);
      expect(evaluated).toBe(false);
      expect(compiled).toEqual(interpreted);
    } finally {
      delete (globalThis as { potluckProbe?: unknown }).potluckProbe;
    }
  });

  it('applies the default of a non-null variable left out, as graphql-js does', async () => {
    const query = 'query ($id: ID! = "5") { dish(id: $id) { name } }';
    const [compiled, interpreted] = await bothAnswer(query);
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toEqual({ dish: { name: 'dish 5' } });
  });

  it('leaves out an input field whose variable was not sent, as graphql-js does', async () => {
    const query = 'query ($after: DateTime) { filterKeys(filter: { names: ["a"], servedAfter: $after }) }';
    expect(compilableDocument(schema, parse(query))).toEqual({ reason: 'a variable inside a literal' });
    const [compiled, interpreted] = await bothAnswer(query);
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toEqual({ filterKeys: ['names'] });
  });

  it('reads no variable a client left out from Object.prototype', async () => {
    const query =
      'query ($valueOf: ID = "7", $toString: ID = "8") { dish(id: $valueOf) { name } other: dish(id: $toString) { id } }';
    const [compiled, interpreted] = await bothAnswer(query);
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toEqual({ dish: { name: 'dish 7' }, other: { id: '8' } });
  });

  it('answers an operation name the document lacks as graphql-js does, once the document is compiled', async () => {
    const query = 'query Menu { dish(id: "1") { id } }';
    const formatError = createErrorFormatter(silent);
    const compiledServer = new ApolloServer({ gateway: compiledExecution(schema, silent), formatError });
    const interpretedServer = new ApolloServer({ schema, formatError });
    await Promise.all([compiledServer.start(), interpretedServer.start()]);
    try {
      await answerOf(compiledServer, query, undefined, 'Menu');
      await answerOf(compiledServer, query, undefined, 'Menu');
      const compiled = await answerOf(compiledServer, query, undefined, 'Nope');
      expect(compiled).toEqual(await answerOf(interpretedServer, query, undefined, 'Nope'));
      expect(compiled.errors![0]!.message).toMatch(/Nope/);
    } finally {
      await compiledServer.stop();
      await interpretedServer.stop();
    }
  });

  it('gives each aliased field its own selection where joined path names would collide', async () => {
    const query = `{
      dish_sides: dish(id: "1") { selected { id } }
      dish(id: "2") { sides_selected: selected { name } sides { selected { servedAt } } }
    }`;
    expect(compilableDocument(schema, parse(query))).toEqual({ reason: 'response key "dish_sides"' });
    const [compiled, interpreted] = await bothAnswer(query);
    expect(compiled).toEqual(interpreted);
  });

  it('applies @skip and @include per use of a fragment, as graphql-js does', async () => {
    const query = `query ($skip: Boolean!) { dish(id: "1") { ...Named @skip(if: $skip) sides { ...Named } } }
    fragment Named on Dish { name }`;
    const [compiled, interpreted] = await bothAnswer(query, { skip: true });
    expect(compiled).toEqual(interpreted);
    expect(compiled!.data).toEqual({ dish: { sides: [{ name: 'dish 11' }] } });
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
    const [compiled, interpreted] = await bothAnswer('{ dish(id: "1") { id broken } }');
    expect(compiled!.data).toEqual({ dish: { id: '1', broken: null } });
    expect(compiled!.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        path: ['dish', 'broken'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    expect(compiled!.errors).toEqual(interpreted!.errors);
    expect(JSON.stringify(compiled)).not.toContain('hunter2');
  });

  it('refuses a variable of the wrong type as the client’s error', async () => {
    const [compiled, interpreted] = await bothAnswer('query ($n: Int!) { dishes(first: $n) { id } }', { n: 'two' });
    expect(compiled!.data).toBeUndefined();
    expect(compiled!.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    expect(compiled!.errors![0]!.message).toMatch(/\$n/);
    expect(compiled!.status).toBe(interpreted!.status);
    expect(interpreted!.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('propagates a null in a non-null field to its parent, as graphql-js does', async () => {
    const [compiled, interpreted] = await bothAnswer('{ failing { id } }');
    expect(compiled!.data).toBeNull();
    expect(compiled!.errors!.map((error) => error.path)).toEqual([['failing']]);
    expect(interpreted!.data).toBeNull();
  });

  it('counts the operations it ran compiled and interpreted', async () => {
    const registry = new Registry();
    const plugins = [ApolloServerPluginInlineTraceDisabled()];
    const server = new ApolloServer({ gateway: compiledExecution(schema, silent, registry), plugins });
    await server.start();
    try {
      // Compiled from its second arrival; an alias with an underscore never is.
      for (let round = 0; round < 3; round += 1) await answerOf(server, '{ dish(id: "1") { id name } }');
      await answerOf(server, '{ my_dish: dish(id: "1") { id } }');
    } finally {
      await server.stop();
    }
    const executed = await registry.getSingleMetric('potluck_subgraph_operations_executed_total')!.get();
    const byExecution = Object.fromEntries(executed.values.map(({ labels, value }) => [labels.execution, value]));
    expect(byExecution).toEqual({ compiled: 2, interpreted: 2 });
  });
});

describe('compilableDocument', () => {
  const compilable = (query: string) => compilableDocument(schema, parse(query));

  it(`leaves to graphql-js a document longer than ${MAX_COMPILED_DOCUMENT_LENGTH} characters`, () => {
    const padding = ' '.repeat(MAX_COMPILED_DOCUMENT_LENGTH);
    expect(compilable(`{ failing { id } }${padding}`)).toEqual({
      reason: `a document of more than ${MAX_COMPILED_DOCUMENT_LENGTH} characters`,
    });
  });

  it(`leaves to graphql-js an operation of more than ${MAX_COMPILED_FIELDS} fields once its fragments are expanded`, () => {
    const fragment = 'fragment Deep on Dish { id name servedAt sides { id name servedAt sides { id name } } }';
    const aliases = (count: number) =>
      Array.from({ length: count }, (_, i) => `d${i}: dish(id: "1") { ...Deep }`).join(' ');
    // Ten fields a spread and the aliased field itself: eleven per alias.
    const most = Math.floor(MAX_COMPILED_FIELDS / 11);
    expect(compilable(`{ ${aliases(most)} } ${fragment}`)).not.toHaveProperty('reason');
    expect(compilable(`{ ${aliases(most + 1)} } ${fragment}`)).toEqual({
      reason: `more than ${MAX_COMPILED_FIELDS} fields with fragments expanded`,
    });
  });

  it('counts an abstract field’s selection once per possible type, with the fragments that apply to that type', () => {
    const twoEntities = buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Query { dish(id: ID!): Dish }
        type Dish @key(fields: "id") { id: ID! name: String! servedAt: String! }
        type Side @key(fields: "id") { id: ID! name: String! }
      `),
    });
    // Per alias: _entities, the three fields of the Dish case, none in the Side case (graphql-jit
    // compiles no field there). Counted per possible type as if every fragment applied, it was 7.
    const entities = (count: number, selection: string) =>
      `query($r: [_Any!]!) { ${Array.from({ length: count }, (_, i) => `e${i}: _entities(representations: $r) { ${selection} }`).join(' ')} }`;
    const onDish = '... on Dish { id name servedAt }';
    const most = Math.floor(MAX_COMPILED_FIELDS / 4);
    expect(compilableDocument(twoEntities, parse(entities(most, onDish)))).not.toHaveProperty('reason');
    expect(compilableDocument(twoEntities, parse(entities(most + 1, onDish)))).toHaveProperty('reason');
    // A field outside any fragment is compiled in both cases: _entities, then __typename twice.
    const both = Math.floor(MAX_COMPILED_FIELDS / 3);
    expect(compilableDocument(twoEntities, parse(entities(both, '__typename')))).not.toHaveProperty('reason');
    expect(compilableDocument(twoEntities, parse(entities(both + 1, '__typename')))).toHaveProperty('reason');
  });

  it('walks the fragments that apply nowhere too, as graphql-jit does before it compiles, and stops early', () => {
    const twoEntities = buildSubgraphSchema({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Query { dish(id: ID!): Dish }
        type Dish @key(fields: "id") { id: ID! }
        type Side @key(fields: "id") { id: ID! }
      `),
    });
    // Valid, 2 KB, and one field as generated code counts it; graphql-jit first walks every
    // spread of every fragment, applying or not: 70^4 of them (5.5 s of compiling).
    const spreads = (next: string) => Array.from({ length: 70 }, () => `...${next}`).join(' ');
    const fragments = [0, 1, 2, 3].map((level) => `fragment R${level} on Dish { ${spreads(`R${level + 1}`)} }`);
    const document = parse(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Side { ... on _Entity { ... on Dish { ...R0 } } } } }
       ${fragments.join(' ')} fragment R4 on Dish { id }`,
    );
    expect(validate(twoEntities, document)).toEqual([]);
    expect(compilableDocument(twoEntities, document)).toEqual({
      reason: `more than ${MAX_COMPILED_FIELDS} fields with fragments expanded`,
    });
  });

  it('moves every string literal into a variable of its argument’s type, nested ones too', () => {
    const ready = compilable(
      `query Q($n: Int!) { dishes(first: $n) { id } dish(id: "a") { id } named(filter: { names: ["b", "c"] }) }`,
    );
    if (!ready || 'reason' in ready) throw new Error(`not compilable: ${JSON.stringify(ready)}`);
    expect(ready.strings).toEqual({ potluckString0: 'a', potluckString1: 'b', potluckString2: 'c' });
    const printed = print(ready.document);
    expect(printed).toContain(
      'query Q($n: Int!, $potluckString0: ID!, $potluckString1: String!, $potluckString2: String!)',
    );
    expect(printed).toContain('named(filter: {names: [$potluckString1, $potluckString2]})');
    expect(printed).not.toMatch(/"[abc]"/);
  });

  it.each([
    ['a directive', '{ dish(id: "1") @skip(if: false) { id } }', '@skip'],
    ['an alias with an underscore', '{ my_dish: dish(id: "1") { id } }', 'response key "my_dish"'],
    ['an alias spelled as a list index', '{ idx1: dish(id: "1") { id } }', 'response key "idx1"'],
    ['an alias starting with a capital', '{ Dish: dish(id: "1") { id } }', 'response key "Dish"'],
    ['introspection', '{ __schema { queryType { name } } }', 'introspection (__schema)'],
    ['two operations', 'query A { failing { id } } query B { failing { id } }', '2 operations'],
    [
      'a prefixed variable',
      'query ($potluckString0: ID!) { dish(id: $potluckString0) { id } }',
      'variable $potluckString0',
    ],
  ])('leaves %s to graphql-js', (_what, query, reason) => {
    expect(compilable(query)).toEqual({ reason });
  });
});

describe('documentPlans', () => {
  it(`compiles a document the second time it arrives, keeps the ${MAX_COMPILED_PLANS} used last, and never compiles one twice`, () => {
    // No compile budget here (the next test has it): a loaded machine must not turn a compile into graphql-js.
    const planFor = documentPlans(schema, silent, Number.POSITIVE_INFINITY);
    const document = parse('{ dish(id: "1") { id } }');
    expect(planFor(document, undefined)).toEqual({ interpreted: true });
    const compiled = planFor(document, undefined);
    expect(compiled).toHaveProperty('compiled');
    expect(planFor(document, undefined)).toBe(compiled);
    for (let others = 0; others < MAX_COMPILED_PLANS; others += 1) {
      const other = parse(`{ dish(id: "${others}") { name } }`);
      planFor(other, undefined);
      expect(planFor(other, undefined)).toHaveProperty('compiled');
    }
    expect(planFor(document, undefined)).toEqual({ interpreted: true });
  });

  it(`keeps compiled plans of at most ${MAX_COMPILED_FIELDS_KEPT} fields in all, dropping the least recently used`, () => {
    const planFor = documentPlans(schema, silent, Number.POSITIVE_INFINITY);
    // Each alias a field and its three: four fields a copy, so some MAX_COMPILED_FIELDS a document.
    const copies = Math.floor(MAX_COMPILED_FIELDS / 4);
    const big = (tag: number) =>
      parse(
        `{ ${Array.from({ length: copies }, (_, i) => `d${i}: dish(id: "${tag}") { id name servedAt }`).join(' ')} }`,
      );
    const documents = Array.from({ length: Math.ceil(MAX_COMPILED_FIELDS_KEPT / (4 * copies)) + 1 }, (_, tag) =>
      big(tag),
    );
    expect(documents.length).toBeLessThan(MAX_COMPILED_PLANS);
    for (const document of documents) {
      planFor(document, undefined);
      expect(planFor(document, undefined)).toHaveProperty('compiled');
    }
    expect(planFor(documents[0]!, undefined)).toEqual({ interpreted: true });
    expect(planFor(documents.at(-1)!, undefined)).toHaveProperty('compiled');
  });

  it('adds up the time each compile takes within a second, and opens the budget again in the next', () => {
    // The budget reads the clock once before and once after each compile: these are those readings, in ms.
    const readings = [1_000, 1_015, 1_100, 2_000, 2_001];
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => readings.shift()!);
    try {
      const planFor = documentPlans(schema, silent, 10);
      const [first, second, third] = ['1', '2', '3'].map((id) => parse(`{ dish(id: "${id}") { id } }`));
      for (const document of [first!, second!, third!]) planFor(document, undefined);
      expect(planFor(first!, undefined)).toHaveProperty('compiled'); // 15 ms spent of 10: the second is closed
      expect(planFor(second!, undefined)).toEqual({ interpreted: true });
      expect(planFor(third!, undefined)).toHaveProperty('compiled'); // the next second
      expect(readings).toEqual([]);
    } finally {
      clock.mockRestore();
    }
  });

  it('runs on graphql-js what arrives once its second’s compiling is spent', () => {
    const planFor = documentPlans(schema, silent, 0);
    const document = parse('{ dish(id: "1") { id } }');
    for (let arrival = 0; arrival < 3; arrival += 1)
      expect(planFor(document, undefined)).toEqual({ interpreted: true });
  });
});
