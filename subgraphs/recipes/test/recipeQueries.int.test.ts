import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@potluck/service';
import { graphqlRequest } from '@potluck/testing';
import { useRecipesForTest } from './harness.js';
import {
  RECIPE,
  RECIPES,
  createRecipe,
  listRecipes,
  manualClock,
  onlyError,
  succeed,
  uniquePrefix,
} from './recipeApi.js';

const clock = manualClock();
const service = useRecipesForTest({ clock: clock.now });

async function titlesMatching(filter: Record<string, unknown>): Promise<string[]> {
  const page = await listRecipes(service.url, { filter, orderBy: 'TITLE', first: 100 });
  expect(page.totalCount).toBe(page.edges.length);
  // Sorted here rather than by the database, so the expectations do not depend on its collation.
  return page.edges.map((edge) => edge.node.title).sort();
}

describe('recipe(id)', () => {
  it('returns the stored recipe', async () => {
    const created = await createRecipe(service.url, { ingredients: ['salt'] });
    expect(await succeed(service.url, RECIPE, { id: created.id })).toEqual({ recipe: created });
  });
});

describe('recipes filter', () => {
  async function createMenu(prefix: string) {
    await createRecipe(service.url, { title: `${prefix} Lemon Tart`, timeMinutes: 10, price: '5.00' });
    await createRecipe(service.url, { title: `${prefix} lemon curd`, timeMinutes: 20, price: '20.00' });
    await createRecipe(service.url, { title: `${prefix} Lime Pie`, timeMinutes: 30, price: '20.01' });
  }

  it('titleContains matches a substring of the title, ignoring case', async () => {
    const prefix = uniquePrefix();
    await createMenu(prefix);

    expect(await titlesMatching({ titleContains: `${prefix} LEMON` })).toEqual([
      `${prefix} Lemon Tart`,
      `${prefix} lemon curd`,
    ]);
    expect(await titlesMatching({ titleContains: prefix.toUpperCase() })).toHaveLength(3);
    expect(await titlesMatching({ titleContains: `${prefix} mango` })).toEqual([]);
  });

  it('titleContains takes % and _ literally, not as wildcards', async () => {
    const prefix = uniquePrefix();
    await createRecipe(service.url, { title: `${prefix} 50% off_cake` });
    await createRecipe(service.url, { title: `${prefix} 500 offer` });

    expect(await titlesMatching({ titleContains: `${prefix} 50%` })).toEqual([`${prefix} 50% off_cake`]);
    expect(await titlesMatching({ titleContains: `${prefix} 50_` })).toEqual([]);
    expect(await titlesMatching({ titleContains: `${prefix} 500 off_` })).toEqual([]);
  });

  it('maxTimeMinutes and maxPrice include their bound', async () => {
    const prefix = uniquePrefix();
    await createMenu(prefix);

    expect(await titlesMatching({ titleContains: prefix, maxTimeMinutes: 20 })).toEqual([
      `${prefix} Lemon Tart`,
      `${prefix} lemon curd`,
    ]);
    expect(await titlesMatching({ titleContains: prefix, maxTimeMinutes: 9 })).toEqual([]);
    expect(await titlesMatching({ titleContains: prefix, maxPrice: '20' })).toEqual([
      `${prefix} Lemon Tart`,
      `${prefix} lemon curd`,
    ]);
    expect(await titlesMatching({ titleContains: prefix, maxPrice: 20.01 })).toHaveLength(3);
  });

  it('combines every filter with AND', async () => {
    const prefix = uniquePrefix();
    await createMenu(prefix);

    const filter = { titleContains: `${prefix} l`, maxTimeMinutes: 25, maxPrice: 6 };
    expect(await titlesMatching(filter)).toEqual([`${prefix} Lemon Tart`]);
  });

  it('counts every match in totalCount while returning only the first page', async () => {
    const prefix = uniquePrefix();
    await createMenu(prefix);

    const page = await listRecipes(service.url, { filter: { titleContains: prefix }, first: 2 });

    expect(page.edges).toHaveLength(2);
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1]?.cursor });
  });

  it('refuses a negative bound or an unstorable search, naming the filter field', async () => {
    for (const filter of [{ maxTimeMinutes: -1 }, { maxPrice: '-1' }, { titleContains: 'a\u0000' }]) {
      const { code, message } = onlyError(await graphqlRequest(service.url, RECIPES, { filter }));
      expect(code).toBe('BAD_USER_INPUT');
      expect(message).toContain(`filter.${Object.keys(filter)[0]}`);
    }
  });
});

describe('recipes arguments', () => {
  it.each([0, 101, -1])('refuses first: %i with BAD_USER_INPUT naming first', async (first) => {
    const { code, message } = onlyError(await graphqlRequest(service.url, RECIPES, { first }));
    expect(code).toBe('BAD_USER_INPUT');
    expect(message).toContain('first');
  });

  it('accepts first: 1 and first: 100', async () => {
    await createRecipe(service.url);
    expect((await listRecipes(service.url, { first: 1 })).edges).toHaveLength(1);
    expect((await listRecipes(service.url, { first: 100 })).pageInfo.hasNextPage).toBe(false);
  });

  it('orders NEWEST first when orderBy is omitted or null', async () => {
    const prefix = uniquePrefix();
    clock.advance(1_000);
    await createRecipe(service.url, { title: `${prefix} older` });
    clock.advance(1_000);
    await createRecipe(service.url, { title: `${prefix} newer` });

    for (const orderBy of [undefined, null]) {
      const page = await listRecipes(service.url, { filter: { titleContains: prefix }, orderBy });
      expect(page.edges.map((edge) => edge.node.title)).toEqual([`${prefix} newer`, `${prefix} older`]);
    }
  });
});

describe('recipes cursors', () => {
  async function expectBadCursor(after: string, orderBy = 'NEWEST') {
    const response = await graphqlRequest(service.url, RECIPES, { after, orderBy });
    expect(onlyError(response)).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringContaining('after') });
  }

  it('refuses a cursor that is not one', async () => {
    await expectBadCursor('garbage');
    await expectBadCursor(Buffer.from('{"not":"an array"}').toString('base64url'));
  });

  it('refuses a cursor taken under another order', async () => {
    const prefix = uniquePrefix();
    await createRecipe(service.url, { title: prefix });
    const filter = { titleContains: prefix };
    const page = await listRecipes(service.url, { filter, orderBy: 'CHEAPEST' });
    const cursor = page.edges[0]?.cursor ?? '';

    await expectBadCursor(cursor, 'QUICKEST');
    expect((await listRecipes(service.url, { filter, after: cursor, orderBy: 'CHEAPEST' })).edges).toEqual([]);
  });

  it.each([
    ['CHEAPEST', ['cheap', randomUUID()]],
    ['QUICKEST', [1e300, randomUUID()]],
    ['QUICKEST', ['10', randomUUID()]],
    ['TITLE', ['\u0000', randomUUID()]],
    ['NEWEST', ['yesterday', randomUUID()]],
    ['OLDEST', ['2026-03-01T12:00:00.000Z', 'nope']],
    ['TITLE', ['Soup']],
  ])('refuses a forged %s cursor holding %j', async (order, values) => {
    await expectBadCursor(encodeCursor(order, values), order);
  });

  // Offsets JavaScript reads and Postgres refuses (beyond ±15:59); the recipe is created at the clock's 2026.
  it.each([
    ['NEWEST', '2024-01-01T00:00:00+16:00', 0],
    ['OLDEST', '2024-01-01T00:00:00+23:59', 1],
  ] as const)('reads a %s cursor at %s as the instant it names', async (order, at, expected) => {
    const prefix = uniquePrefix();
    await createRecipe(service.url, { title: prefix });
    const after = encodeCursor(order, [at, randomUUID()]);
    const page = await listRecipes(service.url, { filter: { titleContains: prefix }, orderBy: order, after });
    expect(page.edges).toHaveLength(expected);
  });
});

describe('_entities', () => {
  const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Recipe { id title } } }';

  it('resolves recipes in the order asked, with null for unknown or malformed ids', async () => {
    const [first, second] = [await createRecipe(service.url), await createRecipe(service.url)];
    const ids = [second.id, randomUUID(), first.id, 'nope', second.id.toUpperCase()];

    const data = await succeed(service.url, ENTITIES, { r: ids.map((id) => ({ __typename: 'Recipe', id })) });

    expect(data).toEqual({
      _entities: [
        { id: second.id, title: second.title },
        null,
        { id: first.id, title: first.title },
        null,
        { id: second.id, title: second.title },
      ],
    });
  });
});
