import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LONGEST_MERGEABLE_TEXT, memberOfKey, memberPrefix, mergeableQuery } from '../src/batching/mergedQuery.js';

const PAGE = 'query Page__recipes__0($after:String,$first:Int=20){recipes(first:$first,after:$after){edges{node{id}}}}';

describe('mergeableQuery', () => {
  it('aliases every root field and renames every variable, per member', () => {
    const query = mergeableQuery(PAGE)!;
    expect(query.rootKeys).toEqual(['recipes']);
    expect(query.textFor(2)).toBe(
      'query Page__recipes__0($_b0_after:String $_b0_first:Int=20 $_b1_after:String $_b1_first:Int=20)' +
        '{_b0_recipes:recipes(first:$_b0_first after:$_b0_after){edges{node{id}}} ' +
        '_b1_recipes:recipes(first:$_b1_first after:$_b1_after){edges{node{id}}}}',
    );
  });

  it('keeps a root alias, variables in directives and nested arguments, and a query without variables', () => {
    const query = mergeableQuery(
      'query($ids:[_Any!]!,$on:Boolean!){ e: _entities(representations:$ids){ ... on Recipe @include(if:$on){ comments(first:5){ totalCount } } } __typename }',
    )!;
    expect(query.rootKeys).toEqual(['e', '__typename']);
    const merged = parse(query.textFor(3)).definitions[0] as OperationDefinitionNode;
    expect(merged.variableDefinitions?.map((definition) => definition.variable.name.value)).toEqual([
      '_b0_ids',
      '_b0_on',
      '_b1_ids',
      '_b1_on',
      '_b2_ids',
      '_b2_on',
    ]);
    expect(merged.selectionSet.selections.map((field) => field.kind === Kind.FIELD && field.alias?.value)).toEqual([
      '_b0_e',
      '_b0___typename',
      '_b1_e',
      '_b1___typename',
      '_b2_e',
      '_b2___typename',
    ]);
    expect(query.textFor(3)).toContain('@include(if:$_b2_on)');
    expect(mergeableQuery('{ a b }')!.textFor(2)).toBe('query{_b0_a:a _b0_b:b _b1_a:a _b1_b:b}');
  });

  it('writes a query of count members for every count, each member asking its own', () => {
    const query = mergeableQuery(PAGE)!;
    for (const count of [1, 2, 7, 32]) {
      const merged = parse(query.textFor(count)).definitions[0] as OperationDefinitionNode;
      expect(merged.selectionSet.selections).toHaveLength(count);
      expect(merged.variableDefinitions).toHaveLength(2 * count);
      const aliases = merged.selectionSet.selections.map((field) => field.kind === Kind.FIELD && field.alias?.value);
      expect(aliases).toEqual(Array.from({ length: count }, (_, index) => `_b${index}_recipes`));
    }
  });

  it('leaves a text too long to keep parts of alone', () => {
    const long = `query { ${Array.from({ length: 2000 }, (_, index) => `f${index}: a`).join(' ')} }`;
    expect(long.length).toBeGreaterThan(LONGEST_MERGEABLE_TEXT);
    expect(mergeableQuery(long)).toBeUndefined();
  });

  it.each([
    ['a mutation', 'mutation { deleteRecipe(id: "1") }'],
    ['a subscription', 'subscription { recipeUpdated(id: "1") { cursor } }'],
    ['two operations', 'query A { a } query B { b }'],
    ['a fragment definition', 'query { ...F } fragment F on Query { a }'],
    ['a fragment at the root', 'query { ... on Query { a } }'],
    ['a directive on the operation', 'query @live { a }'],
    ['text that does not parse', 'query {'],
  ])('leaves %s alone', (_what, text) => {
    expect(mergeableQuery(text)).toBeUndefined();
  });
});

describe('memberOfKey', () => {
  it('reads back the member and its own key, underscores and all', () => {
    for (const index of [0, 7, 31]) {
      for (const key of ['recipes', '_entities', '__typename', '_b1_x']) {
        expect(memberOfKey(memberPrefix(index) + key)).toEqual({ index, key });
      }
    }
  });

  it('knows a key no member wrote', () => {
    expect(memberOfKey('recipes')).toBeUndefined();
    expect(memberOfKey('_b_recipes')).toBeUndefined();
    expect(memberOfKey('_b1_')).toBeUndefined();
  });
});
