import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { RequestRefusedError } from '@potluck/service';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { exampleTabs } from '../src/ide/exampleTabs.js';
import { queryLimits } from '../src/limits.js';
import { pageSizeViolations } from '../src/pageSize.js';

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../../schema/${file}`, import.meta.url)), 'utf8');
const schema = buildSchema(read('api.graphql'));
const { validationRules } = queryLimits(loadConfig({}));

/** The codes the limits give a query (empty when it may run). */
function refusals(query: string): string[] {
  return validate(schema, parse(query), [...specifiedRules, ...validationRules]).map((error) =>
    error.originalError instanceof RequestRefusedError ? error.originalError.code : `other: ${error.message}`,
  );
}

const CYCLE = [
  ['recipe', 'id'],
  ['comments', 'totalCount'],
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
    expect(
      refusals('{ recipes(first: 100) { edges { node { comments(first: 100) { edges { node { id text } } } } } } }'),
    ).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('refuse more than 50 directives', () => {
    expect(refusals(`{ ${'__typename @include(if: true) '.repeat(51)}}`)).toEqual(['TOO_MANY_DIRECTIVES']);
  });
});

describe('pageSizeViolations', () => {
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
});
