import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationLabeler, operationNamesIn, requestOutcome, type RequestOutcome } from '@potluck/service';

const OPERATIONS_DIR = new URL('../../../schema/operations/', import.meta.url);

describe('operationLabeler: request metrics are labelled by a bounded set of operation names', () => {
  const label = operationLabeler(['Recipe', 'AddComment', 'Weird__name__1']);

  it('labels a known operation by its name, a nameless one "anonymous", any other "other"', () => {
    expect(label('Recipe')).toBe('Recipe');
    expect(label('AddComment')).toBe('AddComment');
    expect(label(undefined)).toBe('anonymous');
    expect(label('')).toBe('anonymous');
    expect(label('recipe')).toBe('other');
    expect(label('RecipeX')).toBe('other');
  });

  it('labels the subgraph fetches the gateway plans for a known operation by that operation', () => {
    expect(label('Recipe__recipes__0')).toBe('Recipe');
    expect(label('AddComment__comments__12')).toBe('AddComment');
    expect(label('Weird__name__1')).toBe('Weird__name__1');
    expect(label('Weird__name__1__recipes__0')).toBe('Weird__name__1');
  });

  it('does not take a name that only looks planned', () => {
    for (const name of [
      'Recipe__recipes__',
      'Recipe__recipes__x',
      'Recipe____0',
      'Recipe__0',
      '__recipes__0',
      'Recipes__recipes__0',
    ]) {
      expect(label(name), name).toBe('other');
    }
  });

  it('gives 1,000 distinct client names three labels at most', () => {
    const labels = new Set(Array.from({ length: 1000 }, (_, index) => label(`Op${index}__recipes__${index}`)));
    labels.add(label('Recipe__recipes__7'));
    expect([...labels].sort()).toEqual(['Recipe', 'other']);
  });
});

describe('requestOutcome: how a GraphQL request ended, for the error rate', () => {
  const cases: Array<[number, string[] | undefined, RequestOutcome]> = [
    [200, undefined, 'ok'],
    [200, [], 'ok'],
    [200, ['NOT_FOUND'], 'client_error'],
    [400, ['GRAPHQL_VALIDATION_FAILED'], 'client_error'],
    [413, undefined, 'client_error'],
    [403, undefined, 'client_error'],
    [200, ['NOT_FOUND', 'SUBGRAPH_UNAVAILABLE'], 'server_error'],
    [200, ['SUBGRAPH_TIMEOUT'], 'server_error'],
    [200, ['INTERNAL_SERVER_ERROR'], 'server_error'],
    [200, ['UNKNOWN'], 'server_error'],
    [500, undefined, 'server_error'],
    [503, ['BAD_USER_INPUT'], 'server_error'],
  ];
  it.each(cases)('status %i with errors %j is %s', (status, codes, outcome) => {
    expect(
      requestOutcome(
        status,
        codes?.map((code) => ({ code })),
      ),
    ).toBe(outcome);
  });
});

describe('operationNamesIn', () => {
  it('takes each named operation of the documents, once', () => {
    const documents = ['query A { a } mutation B { b } { anonymous }', 'query A { a } fragment F on Query { a }'];
    expect(operationNamesIn(documents)).toEqual(['A', 'B']);
  });

  it('names every example operation of schema/operations (the typed client’s)', () => {
    const sources = readdirSync(OPERATIONS_DIR)
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => readFileSync(new URL(file, OPERATIONS_DIR), 'utf8'));
    expect(operationNamesIn(sources)).toEqual(
      expect.arrayContaining(['RecipesWithComments', 'Recipe', 'CreateRecipe', 'AddComment', 'DeleteComment']),
    );
  });
});
