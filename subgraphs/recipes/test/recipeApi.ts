import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { RecipeState } from '@potluck/messaging';
import { graphqlRequest, type GraphQLResponse } from '@potluck/testing';

/** Test helpers that talk to the recipes subgraph the way a client would: GraphQL over HTTP. */

export const RECIPE_FIELDS = 'id title description ingredients timeMinutes price createdAt updatedAt commentCount';

/** A recipe as the API returns it: the state its events carry, without the version, plus its comment count. */
export type RecipeJson = Omit<RecipeState, 'version'> & { commentCount: number };

export const CREATE = `mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { ${RECIPE_FIELDS} } }`;
export const UPDATE = `mutation($id: ID!, $input: UpdateRecipeInput!) {
  updateRecipe(id: $id, input: $input) { ${RECIPE_FIELDS} } }`;
export const DELETE = `mutation($id: ID!) { deleteRecipe(id: $id) }`;
export const RECIPE = `query($id: ID!) { recipe(id: $id) { ${RECIPE_FIELDS} } }`;
export const RECIPES = `query($first: Int, $after: String, $filter: RecipeFilter, $orderBy: RecipeOrder) {
  recipes(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { ${RECIPE_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    totalCount } }`;

export interface RecipePageJson {
  edges: Array<{ cursor: string; node: RecipeJson }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** A title prefix no other test uses, so `titleContains` scopes a query to one test's recipes. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

export function validInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: `${uniquePrefix()} Shakshuka`, timeMinutes: 30, price: '12.50', ...overrides };
}

/** Sends an operation that must succeed and returns its data. */
export async function succeed<Data>(url: string, query: string, variables: Record<string, unknown>): Promise<Data> {
  const response = await graphqlRequest<Data>(url, query, variables);
  expect(response.errors).toBeUndefined();
  return response.data as Data;
}

export async function createRecipe(url: string, overrides: Record<string, unknown> = {}): Promise<RecipeJson> {
  const data = await succeed<{ createRecipe: RecipeJson }>(url, CREATE, { input: validInput(overrides) });
  return data.createRecipe;
}

export async function listRecipes(url: string, variables: Record<string, unknown>): Promise<RecipePageJson> {
  return (await succeed<{ recipes: RecipePageJson }>(url, RECIPES, variables)).recipes;
}

/** The one error of a failed response, for asserting its code and message together. */
export function onlyError(response: GraphQLResponse<unknown>): { code: unknown; message: string } {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors ?? [];
  return { code: error?.extensions?.code, message: error?.message ?? '' };
}

/** A clock the test moves by hand, so timestamps in responses, rows and events are exact. */
export function manualClock(start = new Date('2026-03-01T12:00:00.000Z')) {
  let current = start;
  return {
    now: () => current,
    set(next: Date) {
      current = next;
    },
    advance(ms: number) {
      current = new Date(current.getTime() + ms);
      return current;
    },
  };
}

/** Random (not time-ordered) ids, remembered so a test can tell which ones the service used. */
export function recordingIds() {
  const issued: string[] = [];
  return {
    issued,
    next: () => {
      const id = randomUUID();
      issued.push(id);
      return id;
    },
  };
}
