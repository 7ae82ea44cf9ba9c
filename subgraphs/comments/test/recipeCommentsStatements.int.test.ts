import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { graphqlRequest } from '@potluck/testing';
import { dataOf, requestRecipeComments, type PageArgs } from './commentsClient.js';
import { useCommentsForTest } from './harness.js';

/** One windowed page query that also counts (for `totalCount`), however many recipes the gateway asks about. */
const STATEMENTS_PER_ENTITIES_REQUEST = 1;
/** After a cursor the page's window no longer holds every comment: a count query runs beside it. */
const STATEMENTS_AFTER_A_CURSOR = 2;
const COMMENTS_PER_RECIPE = 3;

const statements: string[] = [];
const service = useCommentsForTest({ onQuery: (sql) => statements.push(sql) });

/** Recipes with a few comments each, written straight to the table: only the reads are measured. */
async function recipesWithComments(count: number): Promise<string[]> {
  const recipeIds = Array.from({ length: count }, () => randomUUID());
  await service.prisma.comment.createMany({
    data: recipeIds.flatMap((recipeId) =>
      Array.from({ length: COMMENTS_PER_RECIPE }, (_, i) => ({
        id: randomUUID(),
        recipeId,
        text: `comment ${i}`,
        authorId: 'test-user',
        authorName: 'Test User',
        createdAt: new Date(Date.UTC(2026, 6, 1, 0, i)),
      })),
    ),
  });
  return recipeIds;
}

/** Sends one `_entities` request and returns the statements it ran and what it answered. */
async function measure(recipeIds: string[], page: PageArgs = {}) {
  statements.length = 0;
  const response = await requestRecipeComments(service.url, recipeIds, page);
  return { statements: [...statements], entities: dataOf(response)._entities };
}

it('runs the same constant number of statements for 5 recipes as for 50', async () => {
  const five = await measure(await recipesWithComments(5));
  const fifty = await measure(await recipesWithComments(50));
  expect(five.entities.map((entity) => entity.comments.totalCount)).toEqual(Array(5).fill(COMMENTS_PER_RECIPE));
  expect(fifty.entities.map((entity) => entity.comments.edges.length)).toEqual(Array(50).fill(COMMENTS_PER_RECIPE));
  expect([five.statements.length, fifty.statements.length]).toEqual([
    STATEMENTS_PER_ENTITIES_REQUEST,
    STATEMENTS_PER_ENTITIES_REQUEST,
  ]);
});

it('keeps the count constant when paging with first and after', async () => {
  const recipeIds = await recipesWithComments(50);
  const firstPage = await measure(recipeIds, { first: 2 });
  const after = firstPage.entities[0]?.comments.pageInfo.endCursor;
  const nextPage = await measure(recipeIds, { first: 2, after });
  expect(firstPage.entities.every((entity) => entity.comments.pageInfo.hasNextPage)).toBe(true);
  expect(nextPage.entities[0]?.comments.edges).toHaveLength(1);
  for (const page of [firstPage, nextPage]) {
    expect(page.entities.map((entity) => entity.comments.totalCount)).toEqual(Array(50).fill(COMMENTS_PER_RECIPE));
  }
  expect([firstPage.statements.length, nextPage.statements.length]).toEqual([
    STATEMENTS_PER_ENTITIES_REQUEST,
    STATEMENTS_AFTER_A_CURSOR,
  ]);
});

it('reads comments in those statements, not one query per recipe', async () => {
  const recipeIds = await recipesWithComments(5);
  const { statements: ran } = await measure(recipeIds);
  expect(ran.every((sql) => /FROM comments/.test(sql) && /ANY\(/.test(sql))).toBe(true);
});

it('runs only the page query when totalCount is not asked for', async () => {
  const recipeIds = await recipesWithComments(20);
  statements.length = 0;
  const response = await graphqlRequest<{ _entities: Array<{ comments: { edges: unknown[] } }> }>(
    service.url,
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Recipe { comments(first: 2) { edges { node { id } } } } } }',
    { r: recipeIds.map((id) => ({ __typename: 'Recipe', id })) },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data?._entities.map((entity) => entity.comments.edges.length)).toEqual(Array(20).fill(2));
  expect(statements).toHaveLength(1);
  expect(statements[0]).not.toMatch(/count\(/i);
});
