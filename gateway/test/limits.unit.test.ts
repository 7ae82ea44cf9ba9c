import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
} from 'graphql';
import {
  costLimitPlugin,
  costRefusal,
  costRules,
  pageSizeViolations as violationsIn,
  queryLimits,
  RequestRefusedError,
} from '@potluck/service';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { exampleTabs } from '../src/ide/exampleTabs.js';

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../schema/${file}`, import.meta.url)), 'utf8');
const schema = buildSchema(read('api.graphql'));
const config = loadConfig({});
const limits = queryLimits(config);
const cost = costRules(config.MAX_COST);

/** What a refused request's errors show: the limit's code, or the message of any other error. */
const codeOf = (error: GraphQLError) =>
  error.originalError instanceof RequestRefusedError ? error.originalError.code : `other: ${error.message}`;

/** The codes the limits give a query with these variables (empty when it may run). */
function refusals(query: string, variables: Record<string, unknown> = {}): string[] {
  const document = parse(query);
  const invalid = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
  const operation = getOperationAST(document);
  if (invalid.length > 0 || !operation) return invalid.map(codeOf);
  const refusal = costRefusal({ schema, document, operation, variables }, cost);
  return refusal ? [codeOf(refusal)] : [];
}

const CYCLE = [
  ['recipe', 'id'],
  ['comments(first: 1)', 'totalCount'], // one comment per page: this query tests depth, not cost
  ['edges', 'cursor'],
  ['node', 'id'],
] as const;

/** A query exactly `depth` fields deep: comment → recipe → comments → edges → node → recipe … → a scalar. */
function deepQuery(depth: number): string {
  const chain = Array.from({ length: depth - 2 }, (_, index) => CYCLE[index % CYCLE.length]!);
  let selection: string = chain.at(-1)?.[1] ?? 'id';
  for (const [field] of chain.reverse()) selection = `${field} { ${selection} }`;
  return `{ comment(id: "x") { ${selection} } }`;
}

/** A page of recipes with a page of each one's comments, page sizes as given (literal or variable). */
const recipesWithComments = (recipes: string, comments: string) =>
  `recipes(first: ${recipes}) { edges { node { id title comments(first: ${comments}) { edges { node { id text } } } } } }`;

const aliases = (count: number) =>
  `{ ${Array.from({ length: count }, (_, index) => `r${index}: recipe(id: "x") { id }`).join(' ')} }`;

describe('query limits (defaults)', () => {
  it('let every example operation through', () => {
    const tabs = exampleTabs([read('operations/recipes.graphql'), read('operations/comments.graphql')]);
    expect(tabs.length).toBeGreaterThanOrEqual(5);
    for (const tab of tabs) expect(refusals(tab.query), tab.name).toEqual([]);
  });

  it('allow depth 12 and refuse 13', () => {
    expect(refusals(deepQuery(12))).toEqual([]);
    expect(refusals(deepQuery(13))).toEqual(['QUERY_TOO_DEEP']);
  });

  it('allow 30 aliases and refuse 31', () => {
    expect(refusals(aliases(30))).toEqual([]);
    expect(refusals(aliases(31))).toEqual(['TOO_MANY_ALIASES']);
  });

  it('refuse a query whose cost is over the limit', () => {
    expect(refusals(`{ ${recipesWithComments('100', '100')} }`)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('cost page sizes given by variables at their values, or their defaults', () => {
    const query = `query($a: Int, $b: Int) { ${recipesWithComments('$a', '$b')} }`;
    expect(refusals(query, { a: 100, b: 100 })).toEqual(['QUERY_TOO_COSTLY']);
    expect(refusals(query, { a: 10, b: 10 })).toEqual([]);
    const withDefaults = `query($a: Int = 100, $b: Int = 100) { ${recipesWithComments('$a', '$b')} }`;
    expect(refusals(withDefaults)).toEqual(['QUERY_TOO_COSTLY']);
    expect(refusals(withDefaults, { b: 5 })).toEqual([]);
  });

  it('cost a page size left out at the schema’s default (20), like the subgraphs serve it', () => {
    const found = (query: string) => {
      const document = parse(query);
      const operation = getOperationAST(document)!;
      return costRefusal({ schema, document, operation, variables: {} }, costRules(1))?.message.match(
        /found ([\d.]+)/,
      )?.[1];
    };
    const page = (comments: string) =>
      `{ recipes { edges { node { id comments${comments} { edges { node { text } } } } } } }`;
    expect(found(page(''))).toBe(found(page('(first: 20)')));
    expect(found(page(''))).not.toBe(found(page('(first: 1)')));
    expect(found(`{ recipes(first: 20) { totalCount } }`)).toBe(found(`{ recipes { totalCount } }`));
    // A page-size variable that is declared but not sent also runs at the default.
    const unsent = `query($n: Int) { recipes(first: $n) { edges { node { id comments(first: $n) { edges { node { text } } } } } } }`;
    expect(found(unsent)).toBe(found(page('(first: 20)')));
  });

  it('cost a page size given by a variable inside a fragment', () => {
    const query = `query($b: Int) { recipes(first: 100) { edges { node { id title ...Discussion } } } }
      fragment Discussion on Recipe { comments(first: $b) { edges { node { id text } } } }`;
    expect(refusals(query, { b: 100 })).toEqual(['QUERY_TOO_COSTLY']);
    expect(refusals(query, { b: 5 })).toEqual([]);
  });

  it('refuse more than 50 directives', () => {
    expect(refusals(`{ ${'__typename @include(if: true) '.repeat(51)}}`)).toEqual(['TOO_MANY_DIRECTIVES']);
  });
});

describe('costLimitPlugin', () => {
  /** What the plugin does once Apollo has resolved the operation: nothing, or throw the refusal. */
  async function resolved(query: string, variables: Record<string, unknown>) {
    const document = parse(query);
    const hooks = await costLimitPlugin(cost).requestDidStart?.({} as never);
    const context = { schema, document, operation: getOperationAST(document), request: { variables } };
    return hooks?.didResolveOperation?.(context as never);
  }

  /** Requests of one document through one plugin (so one memo): 'runs', or the refusal's code. */
  function requestsOf(query: string) {
    const plugin = costLimitPlugin(cost);
    const document = parse(query);
    return async (variables: Record<string, unknown>) => {
      const hooks = await plugin.requestDidStart?.({} as never);
      const context = { schema, document, operation: getOperationAST(document), request: { variables } };
      return hooks?.didResolveOperation?.(context as never).then(
        () => 'runs',
        (error: GraphQLError) => (error.originalError as RequestRefusedError).code,
      );
    };
  }

  it('refuses with the rule’s error and status 400 once the variables are known', async () => {
    const query = `query($a: Int, $b: Int) { ${recipesWithComments('$a', '$b')} }`;
    await expect(resolved(query, { a: 5, b: 5 })).resolves.toBeUndefined();
    const refused = await resolved(query, { a: 100, b: 100 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GraphQLError);
    expect(refused).toMatchObject({
      message: expect.stringMatching(/^Query Cost limit of 500000 exceeded, found [\d.]+\.$/),
      originalError: { code: 'QUERY_TOO_COSTLY' },
      extensions: { http: { status: 400 } },
    });
  });

  it('remembers a document’s cost per page size, never across them', async () => {
    const run = requestsOf(`query($a: Int, $b: Int) { ${recipesWithComments('$a', '$b')} }`);
    const sizes = [
      { a: 5, b: 5 },
      { a: 100, b: 100 },
      { a: 5, b: 5 },
      { a: 100, b: 100 },
      { a: 100, b: 5 },
    ];
    const outcomes = [];
    for (const variables of sizes) outcomes.push(await run(variables));
    expect(outcomes).toEqual(['runs', 'QUERY_TOO_COSTLY', 'runs', 'QUERY_TOO_COSTLY', 'runs']);
  });

  it('cannot be taught a low cost by a request whose page sizes are not numbers', async () => {
    const run = requestsOf(`query($n: Int = 100) { ${recipesWithComments('$n', '$n')} }`);
    // A garbage value is costed at the variable's default, like a value left out, and shares its memo entry.
    expect(await run({ n: 'x' })).toBe('QUERY_TOO_COSTLY');
    expect(await run({})).toBe('QUERY_TOO_COSTLY');
    expect(await run({ n: null })).toBe('QUERY_TOO_COSTLY');
  });
});

describe('pageSizeViolations', () => {
  const pageSizeViolations = (document: DocumentNode, variables: Record<string, unknown>, max: number) =>
    violationsIn(document, getOperationAST(document)!, variables, max);
  const query = parse(
    'query($n: Int = 5, $m: Int) { recipes(first: $n) { edges { node { comments(first: $m) { totalCount } } } } }',
  );

  it('reads first from literals, variables and variable defaults', () => {
    expect(pageSizeViolations(parse('{ recipes(first: 101) { totalCount } }'), {}, 100)).toHaveLength(1);
    expect(pageSizeViolations(query, {}, 100)).toEqual([]);
    expect(pageSizeViolations(query, { n: 100, m: 100 }, 100)).toEqual([]);
    expect(pageSizeViolations(query, { m: 500 }, 100)).toEqual([
      { value: 500, message: 'first must be between 1 and 100, got 500' },
    ]);
    expect(pageSizeViolations(query, { n: 0 }, 100)).toEqual([
      { value: 0, message: 'first must be between 1 and 100, got 0' },
    ]);
  });

  it('uses the configured maximum', () => {
    expect(pageSizeViolations(query, { n: 30 }, 25)).toHaveLength(1);
  });

  it('takes a variable default from the operation that runs, not from another one of the document', () => {
    const two = parse(
      'query Big($n: Int = 500) { recipes(first: $n) { totalCount } } query Small($n: Int = 5) { recipes(first: $n) { totalCount } }',
    );
    expect(violationsIn(two, getOperationAST(two, 'Big')!, {}, 100)[0]).toEqual({
      value: 500,
      message: 'first must be between 1 and 100, got 500',
    });
    expect(violationsIn(two, getOperationAST(two, 'Small')!, {}, 100)).toEqual([]);
  });
});
