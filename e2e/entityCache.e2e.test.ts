import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { graphqlRequest, testUsers, waitFor } from '@potluck/testing';
import {
  ADD_COMMENT,
  COMMENT_VIEW,
  countersOf,
  COUNT_VIA_COMMENT,
  CREATE,
  delta,
  DELETE_COMMENT,
  DELETE_RECIPE,
  eventsArrived,
  ok,
  PAGE,
  RECIPE_VIEW,
  textsOf,
  UPDATE,
  type CommentView,
  type RecipeView,
  useTwoCachingGateways,
} from './entityCacheHelpers.js';

// Whole responses are not kept here, so each read exercises the entity cache (responseCache.e2e.test.ts has
// them, and the stream's liveness deadline, which is long here so that holding the events back leaves the cache serving).
const { proxy, a, b } = useTwoCachingGateways({
  ENTITY_CACHE: 'true',
  ENTITY_CACHE_RESPONSES: 'false',
  ENTITY_CACHE_STREAM_DEADLINE_MS: '60000',
});

async function newRecipe(title: string): Promise<string> {
  return (await ok<{ createRecipe: { id: string } }>(a(), CREATE, { title })).createRecipe.id;
}

async function newComment(url: string, recipeId: string, text: string): Promise<string> {
  return (await ok<{ addComment: { id: string } }>(url, ADD_COMMENT, { recipeId, text })).addComment.id;
}

/**
 * A recipe with one comment, read twice through both gateways so both cache its entities, once both have
 * its two events (recipe.created and comment.added, two tags each): a later one would evict what they cached.
 */
async function cachedRecipeWithComment(title: string) {
  const since = { a: await countersOf(a()), b: await countersOf(b()) };
  const recipeId = await newRecipe(title);
  const commentId = await newComment(a(), recipeId, 'first');
  await eventsArrived(a(), since.a, 4);
  await eventsArrived(b(), since.b, 4);
  for (const url of [a(), b()]) {
    await waitFor(
      async () => textsOf(await ok<RecipeView>(url, RECIPE_VIEW, { id: recipeId })).length === 1 || undefined,
    );
    await waitFor(async () => (await ok<CommentView>(url, COMMENT_VIEW, { id: commentId })).comment ?? undefined);
    for (let read = 0; read < 2; read++) {
      await ok(url, RECIPE_VIEW, { id: recipeId });
      await ok(url, COMMENT_VIEW, { id: commentId });
    }
  }
  return { recipeId, commentId };
}

const titleVia = async (url: string, commentId: string) =>
  (await ok<CommentView>(url, COMMENT_VIEW, { id: commentId })).comment?.recipe?.title;

/** Polls `url` until `probe` holds, returning how long it took. */
async function visibleAfter(started: number, probe: () => Promise<boolean>, what: string): Promise<number> {
  await waitFor(async () => ((await probe()) ? true : undefined), { timeoutMs: 10_000, intervalMs: 10, what });
  return Date.now() - started;
}

describe('a repeated read', () => {
  it('of distinct pages is answered from the cache: the comments subgraph is not asked again', async () => {
    const token = `paged-${randomUUID().slice(0, 8)}`;
    const since = await countersOf(a());
    for (let n = 0; n < 6; n++) await newComment(a(), await newRecipe(`${token} ${n}`), `on ${n}`);
    const readAllPages = async () => {
      const titles: string[] = [];
      let after: string | null = null;
      do {
        type Page = {
          recipes: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            edges: Array<{ node: { title: string; comments: { totalCount: number } } }>;
          };
        };
        const { recipes }: Page = await ok<Page>(a(), PAGE, { token, after });
        titles.push(...recipes.edges.map(({ node }) => `${node.title}:${node.comments.totalCount}`));
        after = recipes.pageInfo.hasNextPage ? recipes.pageInfo.endCursor : null;
      } while (after);
      return titles;
    };
    await eventsArrived(a(), since, 24); // six recipe.created and six comment.added, two tags each
    expect((await readAllPages()).every((title) => title.endsWith(':1'))).toBe(true);
    const before = await countersOf(a());
    const titles = await readAllPages();
    const after = await countersOf(a());
    expect(titles).toHaveLength(6);
    expect(delta(before, after)).toEqual({ recipes: 3, comments: 0, hits: 6 });
  });
});

describe('read-your-writes, and the other gateway within the event lag', () => {
  it('a recipe update through a gateway', async () => {
    const { commentId, recipeId } = await cachedRecipeWithComment('Old title');
    const before = await countersOf(b());
    expect(await titleVia(b(), commentId)).toBe('Old title');
    expect(delta(before, await countersOf(b()))).toMatchObject({ recipes: 0, hits: 1 });

    const started = Date.now();
    await ok(a(), UPDATE, { id: recipeId, title: 'New title' });
    expect(await titleVia(a(), commentId)).toBe('New title');
    const lag = await visibleAfter(
      started,
      async () => (await titleVia(b(), commentId)) === 'New title',
      'B to see it',
    );
    expect(lag).toBeLessThan(5000);
  });

  it('a comment added through a gateway, with commentCount following', async () => {
    const { recipeId, commentId } = await cachedRecipeWithComment('Commented');
    for (const url of [a(), b()]) await ok(url, COUNT_VIA_COMMENT, { id: commentId });
    await newComment(b(), recipeId, 'second');
    expect(textsOf(await ok<RecipeView>(b(), RECIPE_VIEW, { id: recipeId }))).toEqual(['second', 'first']);
    await visibleAfter(
      Date.now(),
      async () => textsOf(await ok<RecipeView>(a(), RECIPE_VIEW, { id: recipeId })).length === 2,
      'A to see the comment',
    );
    type Count = { comment: { recipe: { commentCount: number } | null } | null };
    for (const url of [a(), b()]) {
      await visibleAfter(
        Date.now(),
        async () => (await ok<Count>(url, COUNT_VIA_COMMENT, { id: commentId })).comment?.recipe?.commentCount === 2,
        `commentCount 2 at ${url}`,
      );
    }
  });

  it('a comment deleted, and a recipe deleted', async () => {
    const { recipeId, commentId } = await cachedRecipeWithComment('Doomed');
    await ok(a(), DELETE_COMMENT, { id: commentId });
    expect(textsOf(await ok<RecipeView>(a(), RECIPE_VIEW, { id: recipeId }))).toEqual([]);
    await visibleAfter(
      Date.now(),
      async () => textsOf(await ok<RecipeView>(b(), RECIPE_VIEW, { id: recipeId })).length === 0,
      'B to drop the comment',
    );

    const other = await newComment(a(), recipeId, 'kept until the recipe goes');
    for (let read = 0; read < 2; read++) expect(await titleVia(b(), other)).toBe('Doomed');
    await ok(a(), DELETE_RECIPE, { id: recipeId });
    expect(await titleVia(a(), other)).toBeUndefined();
    await visibleAfter(Date.now(), async () => (await titleVia(b(), other)) === undefined, 'B to drop the recipe');
  });
});

describe('read-your-writes without the events', () => {
  it('a write through a gateway is on its next read even while its events are held back', async () => {
    const { recipeId, commentId } = await cachedRecipeWithComment('Held');
    const before = await countersOf(a());
    proxy.holdReplies(); // the broker's deliveries to A wait; its link stays up (for less than the heartbeat timeout and the liveness deadline)
    try {
      await ok(a(), UPDATE, { id: recipeId, title: 'Held and changed' });
      for (let read = 0; read < 2; read++) expect(await titleVia(a(), commentId)).toBe('Held and changed');
      await newComment(a(), recipeId, 'held comment');
      expect(textsOf(await ok<RecipeView>(a(), RECIPE_VIEW, { id: recipeId }))).toEqual(['held comment', 'first']);
      await ok(a(), DELETE_COMMENT, { id: commentId });
      expect(textsOf(await ok<RecipeView>(a(), RECIPE_VIEW, { id: recipeId }))).toEqual(['held comment']);
      const during = await countersOf(a());
      expect(during.serving).toBe(1);
      expect(delta(before, during).hits).toBeGreaterThan(0);
    } finally {
      proxy.releaseReplies();
    }
  });
});

describe('a broker outage', () => {
  it('stops serving while the events do not arrive, and serves nothing from before it afterwards', async () => {
    const { recipeId, commentId } = await cachedRecipeWithComment('Before the cut');
    proxy.cut();
    try {
      await waitFor(async () => ((await countersOf(a())).serving === 0 ? true : undefined), {
        what: 'A to stop serving',
      });
      await ok(b(), UPDATE, { id: recipeId, title: 'During the cut' });
      const before = await countersOf(a());
      expect(await titleVia(a(), commentId)).toBe('During the cut');
      expect(delta(before, await countersOf(a()))).toMatchObject({ recipes: 1, hits: 0 });
      for (let read = 0; read < 2; read++) await titleVia(a(), commentId);
      await ok(b(), UPDATE, { id: recipeId, title: 'Also during the cut' });
    } finally {
      proxy.restore();
    }
    await waitFor(async () => ((await countersOf(a())).serving === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'A to serve again',
    });
    expect(await titleVia(a(), commentId)).toBe('Also during the cut');
  });
});

describe('viewers', () => {
  it('never see each other’s viewer: it is not cached, and entity fields do not depend on it', async () => {
    const { commentId } = await cachedRecipeWithComment('Shared');
    const query = `query($id: ID!) { viewer { id name } comment(id: $id) { recipe { title } } }`;
    for (const user of [testUsers.ana, testUsers.joe, testUsers.ana]) {
      const response = await graphqlRequest<{ viewer: { id: string } }>(
        a(),
        query,
        { id: commentId },
        {},
        { as: user },
      );
      expect(response.data?.viewer.id).toBe(user.id);
    }
  });
});
