import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { graphqlRequest, testUsers, waitFor } from '@potluck/testing';
import {
  ADD_COMMENT,
  countersOf,
  CREATE,
  delta,
  DELETE_COMMENT,
  DELETE_RECIPE,
  eventsArrived,
  ok,
  responseLookupsOf,
  UPDATE,
  useTwoCachingGateways,
} from './entityCacheHelpers.js';

// Both gateways keep whole responses (the default with ENTITY_CACHE=true).
const { proxy, a, b } = useTwoCachingGateways({ ENTITY_CACHE: 'true' });

/** The recipes whose title holds `token`, each with its comments: a root page and an `_entities` fetch. */
const PAGE = `query Page($token: String!) {
  recipes(first: 10, filter: { titleContains: $token }) {
    edges { node { id title comments(first: 5) { totalCount edges { node { text } } } } }
  }
}`;
type Page = { recipes: { edges: Array<{ node: { id: string; title: string; comments: { totalCount: number } } }> } };

const pageOf = async (url: string, token: string) =>
  (await ok<Page>(url, PAGE, { token })).recipes.edges.map(({ node }) => `${node.title}:${node.comments.totalCount}`);

/** `token`'s page, read until it shows `expected` and then once more, so it is kept. */
async function keptPage(url: string, token: string, expected: string[]) {
  await waitFor(
    async () => (JSON.stringify(await pageOf(url, token)) === JSON.stringify(expected) ? true : undefined),
    {
      timeoutMs: 10_000,
      what: `${url} to show ${expected.join(', ')}`,
    },
  );
  await pageOf(url, token);
}

const createRecipe = async (title: string) =>
  (await ok<{ createRecipe: { id: string } }>(a(), CREATE, { title })).createRecipe.id;

describe('a repeated query', () => {
  it('is answered whole: neither subgraph is asked again', async () => {
    const token = `whole-${randomUUID().slice(0, 8)}`;
    const since = await countersOf(a());
    await createRecipe(`${token} one`);
    await eventsArrived(a(), since, 2); // recipe.created: the recipe and the lists of recipes
    await keptPage(a(), token, [`${token} one:0`]);
    const [before, lookupsBefore] = [await countersOf(a()), await responseLookupsOf(a())];
    expect(await pageOf(a(), token)).toEqual([`${token} one:0`]);
    expect(delta(before, await countersOf(a()))).toEqual({ recipes: 0, comments: 0, hits: 0 });
    expect((await responseLookupsOf(a())).hit - lookupsBefore.hit).toBe(1);
  });

  it('is not kept when it asks for the viewer, commentCount, a page ordered by comment count, or a recipe no tag names', async () => {
    const token = `never-${randomUUID().slice(0, 8)}`;
    const id = await createRecipe(`${token} kept out`);
    const { addComment } = await ok<{ addComment: { id: string } }>(a(), ADD_COMMENT, { recipeId: id, text: 'one' });
    const queries = [
      ['recipes', 'query { viewer { id } }', {}],
      ['recipes', 'query($id: ID!) { recipe(id: $id) { title commentCount } }', { id }],
      [
        'recipes',
        'query($token: String!) { recipes(first: 5, orderBy: MOST_COMMENTED, filter: { titleContains: $token }) { edges { node { title } } } }',
        { token },
      ],
      [
        'recipes',
        'query($token: String!, $order: RecipeOrder = MOST_COMMENTED) { recipes(first: 5, orderBy: $order, filter: { titleContains: $token }) { edges { node { title } } } }',
        { token },
      ],
      // One fetch to comments, tagged only with the comment: the recipe's comments would go stale.
      [
        'comments',
        'query($id: ID!) { comment(id: $id) { recipe { id comments { totalCount } } } }',
        { id: addComment.id },
      ],
    ] as const;
    for (const [subgraph, query, variables] of queries) {
      await ok(a(), query, variables);
      const before = await countersOf(a());
      await ok(a(), query, variables);
      expect(delta(before, await countersOf(a()))[subgraph], query).toBe(1);
    }
    for (const user of [testUsers.ana, testUsers.joe, testUsers.ana]) {
      const response = await graphqlRequest<{ viewer: { id: string } }>(
        a(),
        'query { viewer { id } }',
        {},
        {},
        { as: user },
      );
      expect(response.data?.viewer.id).toBe(user.id);
    }
  });
});

describe('read-your-writes, and the other gateway within the event lag', () => {
  it('a recipe created, renamed and deleted, a comment added and deleted: the next read through either gateway shows it', async () => {
    const token = `writes-${randomUUID().slice(0, 8)}`;
    const first = await createRecipe(`${token} first`);
    for (const url of [a(), b()]) await keptPage(url, token, [`${token} first:0`]);

    const steps: Array<[string, () => Promise<unknown>, string[]]> = [];
    let second = '';
    let comment = '';
    steps.push([
      'create',
      async () => (second = await createRecipe(`${token} second`)),
      [`${token} second:0`, `${token} first:0`],
    ]);
    steps.push([
      'rename',
      () => ok(a(), UPDATE, { id: first, title: `${token} renamed` }),
      [`${token} second:0`, `${token} renamed:0`],
    ]);
    steps.push([
      'comment',
      async () => {
        const added = await ok<{ addComment: { id: string } }>(a(), ADD_COMMENT, { recipeId: first, text: 'hi' });
        comment = added.addComment.id;
      },
      [`${token} second:0`, `${token} renamed:1`],
    ]);
    steps.push([
      'uncomment',
      () => ok(a(), DELETE_COMMENT, { id: comment }),
      [`${token} second:0`, `${token} renamed:0`],
    ]);
    steps.push(['delete', () => ok(a(), DELETE_RECIPE, { id: second }), [`${token} renamed:0`]]);
    for (const [what, write, expected] of steps) {
      await write();
      expect(await pageOf(a(), token), `${what}: A's next read`).toEqual(expected);
      await keptPage(b(), token, expected);
      await keptPage(a(), token, expected);
    }
  });
});

describe('a broker outage', () => {
  it('serves no kept response while the events do not arrive, and none from before it afterwards', async () => {
    const token = `cut-${randomUUID().slice(0, 8)}`;
    const id = await createRecipe(`${token} before`);
    await keptPage(a(), token, [`${token} before:0`]);
    proxy.cut();
    try {
      await waitFor(async () => ((await countersOf(a())).serving === 0 ? true : undefined), {
        what: 'A to stop serving',
      });
      await ok(b(), UPDATE, { id, title: `${token} during` });
      const before = await responseLookupsOf(a());
      expect(await pageOf(a(), token)).toEqual([`${token} during:0`]);
      const during = await responseLookupsOf(a());
      expect([during.hit - before.hit, during.notServing - before.notServing]).toEqual([0, 1]);
      await pageOf(a(), token);
      await ok(b(), UPDATE, { id, title: `${token} also during` });
    } finally {
      proxy.restore();
    }
    await waitFor(async () => ((await countersOf(a())).serving === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'A to serve again',
    });
    expect(await pageOf(a(), token)).toEqual([`${token} also during:0`]);
  });
});

describe('a link that drops without closing', () => {
  it('stops serving once its own marks stop coming back from the stream, and serves again when they do', async () => {
    const token = `stall-${randomUUID().slice(0, 8)}`;
    await createRecipe(`${token} kept`);
    await keptPage(a(), token, [`${token} kept:0`]);
    proxy.holdReplies(); // A still sends, but reads nothing: no RST, and AMQP heartbeats would notice only after 10 s
    try {
      await waitFor(async () => ((await countersOf(a())).serving === 0 ? true : undefined), {
        timeoutMs: 9000,
        intervalMs: 100,
        what: 'A to stop serving within its stream deadline (3 s)',
      });
      const before = await responseLookupsOf(a());
      expect(await pageOf(a(), token)).toEqual([`${token} kept:0`]);
      expect((await responseLookupsOf(a())).notServing - before.notServing).toBe(1);
      const ready = (await (await fetch(new URL('/health/ready', a()))).json()) as {
        status: string;
        checks: { subscriptions?: { status: string; error?: string } };
      };
      expect(ready.status).toBe('degraded');
      expect(ready.checks.subscriptions?.status).not.toBe('up');
    } finally {
      proxy.releaseReplies();
    }
    // Well before AMQP heartbeats would have closed the connection: the held marks, read, end the stall.
    await waitFor(async () => ((await countersOf(a())).serving === 1 ? true : undefined), {
      timeoutMs: 4000,
      intervalMs: 100,
      what: 'A to serve again once its marks come back',
    });
  });
});
