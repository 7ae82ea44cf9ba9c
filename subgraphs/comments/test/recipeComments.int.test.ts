import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '@potluck/testing';
import {
  addComment,
  dataOf,
  recipeComments,
  requestRecipeComments,
  type CommentConnectionView,
} from './commentsClient.js';
import { useCommentsForTest } from './harness.js';
import { createTestClock } from './testClock.js';

const clock = createTestClock();
const service = useCommentsForTest({ clock: clock.now });

/** Adds one comment per timestamp, in the order given, and returns their ids in that order. */
async function seed(recipeId: string, timestamps: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, timestamp] of timestamps.entries()) {
    clock.set(timestamp);
    ids.push((await addComment(service, { recipeId, text: `comment ${index}` })).id);
  }
  return ids;
}

function nodeIds(connection: CommentConnectionView): string[] {
  return connection.edges.map((edge) => edge.node.id);
}

/** Follows `endCursor` until the last page, returning every page seen. */
async function walkPages(recipeId: string, first: number): Promise<CommentConnectionView[]> {
  const pages = [await recipeComments(service.url, recipeId, { first })];
  for (let page = pages[0]; page?.pageInfo.hasNextPage; page = pages.at(-1)) {
    if (pages.length > 50) throw new Error('pagination did not end');
    pages.push(await recipeComments(service.url, recipeId, { first, after: page.pageInfo.endCursor }));
  }
  return pages;
}

const descendingIds = (ids: string[]) => [...ids].sort().reverse();

describe('Recipe.comments through _entities', () => {
  it('lists comments newest first, whatever order they were added in', async () => {
    const recipeId = randomUUID();
    const [middle, newest, oldest] = await seed(recipeId, [
      '2026-05-01T10:00:00.000Z',
      '2026-05-01T11:00:00.000Z',
      '2026-05-01T09:00:00.000Z',
    ]);
    const connection = await recipeComments(service.url, recipeId);
    expect(nodeIds(connection)).toEqual([newest, middle, oldest]);
    expect(connection.edges.map((edge) => edge.node.createdAt)).toEqual([
      '2026-05-01T11:00:00.000Z',
      '2026-05-01T10:00:00.000Z',
      '2026-05-01T09:00:00.000Z',
    ]);
    expect(connection.totalCount).toBe(3);
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: connection.edges[2]?.cursor });
  });

  it('breaks equal timestamps by id, highest first', async () => {
    const recipeId = randomUUID();
    const same = '2026-05-02T10:00:00.000Z';
    const [later, ...tied] = await seed(recipeId, ['2026-05-02T10:00:00.001Z', same, same, same]);
    const earlier = await seed(recipeId, ['2026-05-02T09:59:59.999Z']);
    const connection = await recipeComments(service.url, recipeId);
    expect(nodeIds(connection)).toEqual([later, ...descendingIds(tied), ...earlier]);
  });

  it('gives a recipe without comments an empty connection', async () => {
    expect(await recipeComments(service.url, randomUUID())).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('returns 20 comments when first is not given, with totalCount counting them all', async () => {
    const recipeId = randomUUID();
    const timestamps = Array.from({ length: 21 }, (_, i) => new Date(Date.UTC(2026, 5, 1, 0, i)).toISOString());
    await seed(recipeId, timestamps);
    const connection = await recipeComments(service.url, recipeId);
    expect(connection.edges).toHaveLength(20);
    expect(connection.totalCount).toBe(21);
    expect(connection.pageInfo.hasNextPage).toBe(true);
  });

  it('answers each recipe of a batch with its own comments, in the order asked', async () => {
    const [first, second, empty] = [randomUUID(), randomUUID(), randomUUID()];
    const firstIds = await seed(first, ['2026-05-03T10:00:00.000Z', '2026-05-03T11:00:00.000Z']);
    const secondIds = await seed(second, ['2026-05-03T12:00:00.000Z']);
    const response = await requestRecipeComments(service.url, [second, empty, 'not-a-uuid', first]);
    const entities = dataOf(response)._entities;
    expect(entities.map((entity) => entity.id)).toEqual([second, empty, 'not-a-uuid', first]);
    expect(entities.map((entity) => nodeIds(entity.comments))).toEqual([secondIds, [], [], firstIds.reverse()]);
    expect(entities.map((entity) => entity.comments.totalCount)).toEqual([1, 0, 0, 2]);
  });

  it('finds the comments of a recipe named by its id in uppercase', async () => {
    const recipeId = randomUUID();
    const [id] = await seed(recipeId, ['2026-05-04T10:00:00.000Z']);
    const connection = await recipeComments(service.url, recipeId.toUpperCase());
    expect({ ids: nodeIds(connection), totalCount: connection.totalCount }).toEqual({ ids: [id], totalCount: 1 });
  });
});

describe('walking pages with after', () => {
  const timestamps = [
    '2026-05-05T10:00:00.000Z',
    '2026-05-05T12:00:00.000Z',
    '2026-05-05T11:00:00.000Z',
    '2026-05-05T11:00:00.000Z',
    '2026-05-05T11:00:00.000Z',
    '2026-05-05T09:00:00.000Z',
    '2026-05-05T13:00:00.000Z',
  ];

  it.each([1, 2, 3, 6, 7, 100])('visits every comment once, newest first, with first %i', async (first) => {
    const recipeId = randomUUID();
    const [at10, at12, ...rest] = await seed(recipeId, timestamps);
    const [tiedA, tiedB, tiedC, at09, at13] = rest as [string, string, string, string, string];
    const pages = await walkPages(recipeId, first);
    expect(pages.flatMap(nodeIds)).toEqual([at13, at12, ...descendingIds([tiedA, tiedB, tiedC]), at10, at09]);
    expect(pages).toHaveLength(Math.ceil(timestamps.length / first));
    expect(pages.every((page) => page.totalCount === timestamps.length)).toBe(true);
    expect(pages.every((page) => page.pageInfo.endCursor === page.edges.at(-1)?.cursor)).toBe(true);
  });

  it('returns an empty last page after the oldest comment', async () => {
    const recipeId = randomUUID();
    await seed(recipeId, ['2026-05-06T10:00:00.000Z']);
    const { pageInfo } = await recipeComments(service.url, recipeId, { first: 1 });
    const after = await recipeComments(service.url, recipeId, { first: 1, after: pageInfo.endCursor });
    expect(after).toEqual({ totalCount: 1, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});

describe('bad paging arguments', () => {
  const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

  it.each([0, 101, -1])('rejects first %i as BAD_USER_INPUT naming first', async (first) => {
    const response = await requestRecipeComments(service.url, [randomUUID()], { first });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('first');
  });

  it('accepts first 100', async () => {
    expect((await recipeComments(service.url, randomUUID(), { first: 100 })).totalCount).toBe(0);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['another ordering', cursorOf(['RECIPES', '2026-05-05T10:00:00.000Z', randomUUID()])],
    ['a bad timestamp', cursorOf(['COMMENTS', 'yesterday', randomUUID()])],
    ['a bad id', cursorOf(['COMMENTS', '2026-05-05T10:00:00.000Z', 'nope'])],
    ['too few values', cursorOf(['COMMENTS'])],
  ])('rejects a cursor with %s as BAD_USER_INPUT naming after', async (_case, after) => {
    const response = await requestRecipeComments(service.url, [randomUUID()], { first: 5, after });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('after');
  });
});
