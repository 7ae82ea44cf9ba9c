import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LONGEST_MERGEABLE_TEXT, memberOfKey, mergeableQuery, mergedKey } from '../src/batching/mergedQuery.js';

const PAGE = 'query Page__recipes__0($after:String,$first:Int=20){recipes(first:$first,after:$after){edges{node{id}}}}';

describe('mergeableQuery', () => {
  it('aliases every root field and renames every variable, per member', () => {
    const query = mergeableQuery(PAGE)!;
    expect(query.rootKeys).toEqual(['recipes']);
    expect(query.textFor(2)).toBe(
      'query Page__recipes__0($b0_after:String $b0_first:Int=20 $b1_after:String $b1_first:Int=20)' +
        '{b0k0:recipes(first:$b0_first after:$b0_after){edges{node{id}}} ' +
        'b1k0:recipes(first:$b1_first after:$b1_after){edges{node{id}}}}',
    );
  });

  it('keeps a root alias, variables in directives and nested arguments, and a query without variables', () => {
    const query = mergeableQuery(
      'query($ids:[_Any!]!,$on:Boolean!){ e: _entities(representations:$ids){ ... on Recipe @include(if:$on){ comments(first:5){ totalCount } } } __typename }',
    )!;
    expect(query.rootKeys).toEqual(['e', '__typename']);
    const merged = parse(query.textFor(3)).definitions[0] as OperationDefinitionNode;
    expect(merged.variableDefinitions?.map((definition) => definition.variable.name.value)).toEqual([
      'b0_ids',
      'b0_on',
      'b1_ids',
      'b1_on',
      'b2_ids',
      'b2_on',
    ]);
    expect(merged.selectionSet.selections.map((field) => field.kind === Kind.FIELD && field.alias?.value)).toEqual([
      'b0k0',
      'b0k1',
      'b1k0',
      'b1k1',
      'b2k0',
      'b2k1',
    ]);
    expect(query.textFor(3)).toContain('@include(if:$b2_on)');
    expect(mergeableQuery('{ a b }')!.textFor(2)).toBe('query{b0k0:a b0k1:b b1k0:a b1k1:b}');
  });

  it('gives root fields with one response key one alias, so they stay one field of the answer', () => {
    const query = mergeableQuery('query($id:ID!){ item(id:$id){ id } other: echo item(id:$id){ name } }')!;
    expect(query.rootKeys).toEqual(['item', 'other']);
    expect(query.textFor(2)).toBe(
      'query($b0_id:ID! $b1_id:ID!){b0k0:item(id:$b0_id){id} b0k1:echo b0k0:item(id:$b0_id){name} ' +
        'b1k0:item(id:$b1_id){id} b1k1:echo b1k0:item(id:$b1_id){name}}',
    );
  });

  it('names only with letters, digits and underscores, and aliases the root with letters and digits', () => {
    const merged = mergeableQuery(
      'query($_x:[_Any!]!,$__proto__:Int){ _entities(representations:$_x){ __typename } __typename _b0_x: _entities(representations:$_x){ __typename } }',
    )!.textFor(12);
    const operation = parse(merged).definitions[0] as OperationDefinitionNode;
    for (const field of operation.selectionSet.selections) {
      expect(field.kind === Kind.FIELD && field.alias?.value).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    for (const definition of operation.variableDefinitions ?? []) {
      expect(definition.variable.name.value).toMatch(/^[A-Za-z][_A-Za-z0-9]*$/);
    }
  });

  it('writes a query of count members for every count, each member asking its own', () => {
    const query = mergeableQuery(PAGE)!;
    for (const count of [1, 2, 7, 32]) {
      const merged = parse(query.textFor(count)).definitions[0] as OperationDefinitionNode;
      expect(merged.selectionSet.selections).toHaveLength(count);
      expect(merged.variableDefinitions).toHaveLength(2 * count);
      const aliases = merged.selectionSet.selections.map((field) => field.kind === Kind.FIELD && field.alias?.value);
      expect(aliases).toEqual(Array.from({ length: count }, (_, index) => `b${index}k0`));
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
  const rootKeys = ['recipes', '_entities', '__typename', 'b1k0', '__proto__'];

  it('reads back the member and its own key', () => {
    for (const index of [0, 7, 31]) {
      rootKeys.forEach((key, keyIndex) => {
        expect(memberOfKey(mergedKey(index, keyIndex), rootKeys)).toEqual({ index, key });
      });
    }
  });

  it('knows a key no member wrote', () => {
    for (const key of ['recipes', 'b1k0x', 'b1k', 'bk0', 'b01k0', 'b1k05', 'b1k9', 'b1k1e1', '_b1_recipes']) {
      expect(memberOfKey(key, rootKeys)).toBeUndefined();
    }
  });
});
