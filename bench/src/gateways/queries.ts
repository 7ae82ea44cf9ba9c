import { GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';

/** The documents every scenario sends; the floor asks the subgraphs for exactly what the page query needs. */

const RECIPE_FIELDS = 'id title timeMinutes price';
const COMMENT_CONNECTION = 'comments(first: 5) { totalCount edges { node { id author { id name } text createdAt } } }';

/** Scenario 1: a page of recipes with five comments each, through a gateway. */
export function pageQuery(first: number): string {
  return `query BenchPage { recipes(first: ${first}) { edges { node { ${RECIPE_FIELDS} ${COMMENT_CONNECTION} } } } }`;
}

/** Scenario 1 over every page in turn (`after` a cursor), so concurrent requests differ and no gateway can share calls. */
export const PAGES_QUERY = `query BenchPages($after: String) { recipes(first: 20, after: $after) { edges { node { ${RECIPE_FIELDS} ${COMMENT_CONNECTION} } } } }`;

/**
 * Walks the recipes subgraph's pages of 20 to collect every cursor (bounded: at most `maxPages`),
 * each call carrying the `credential` a gateway would send.
 */
export async function pageCursors(
  recipesUrl: string,
  credential: () => Promise<string>,
  maxPages = 100,
): Promise<Array<string | null>> {
  const cursors: Array<string | null> = [null];
  for (let page = 1; page < maxPages; page += 1) {
    const response = await fetch(recipesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [GATEWAY_CREDENTIAL_HEADER]: await credential() },
      body: body('query($after: String) { recipes(first: 20, after: $after) { pageInfo { hasNextPage endCursor } } }', {
        after: cursors.at(-1),
      }),
    });
    const { data } = (await response.json()) as {
      data?: { recipes: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    };
    if (!data) throw new Error(`could not page through the recipes: status ${response.status}`);
    if (!data.recipes.pageInfo.hasNextPage) break;
    cursors.push(data.recipes.pageInfo.endCursor);
  }
  return cursors;
}

/** The floor's first call: the same page from the recipes subgraph alone. */
export function floorRecipesQuery(first: number): string {
  return `query BenchFloorRecipes { recipes(first: ${first}) { edges { node { ${RECIPE_FIELDS} } } } }`;
}

/** The floor's second call: one `_entities` batch for the whole page, as a query planner would send it. */
export const FLOOR_ENTITIES_QUERY = `query BenchFloorComments($representations: [_Any!]!) { _entities(representations: $representations) { ... on Recipe { ${COMMENT_CONNECTION} } } }`;

export const RECIPE_BY_ID_QUERY = `query BenchRecipe($id: ID!) { recipe(id: $id) { ${RECIPE_FIELDS} description ingredients createdAt } }`;

export const CREATE_RECIPE_MUTATION =
  'mutation BenchCreate($input: CreateRecipeInput!) { createRecipe(input: $input) { id title } }';

export const CREATE_RECIPE_INPUT = {
  title: 'Benchmark bread',
  description: 'Written by the benchmark.',
  ingredients: ['flour', 'water', 'salt', 'yeast'],
  timeMinutes: 240,
  price: '3.50',
};

export function body(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

/** A GraphQL response counts as a success when it has data and no errors. */
export function isGraphQLSuccess(text: string): boolean {
  return text.startsWith('{"data":') && !text.includes('"errors":');
}
