import type { Viewer } from '@potluck/identity';
import { isUuid } from '@potluck/service';
import { graphqlRequest, type GraphQLResponse, type SubgraphUnderTest } from '@potluck/testing';
import type { PrismaClient } from '../src/db.js';

type CommentsUnderTest = Pick<SubgraphUnderTest<PrismaClient>, 'url' | 'prisma'>;

/** Puts a recipe in the replica, as if its recipe.created event had arrived. */
export async function announceRecipe(prisma: PrismaClient, id: string, deleted = false): Promise<void> {
  await prisma.recipeReplica.upsert({
    where: { id: id.toLowerCase() },
    create: { id: id.toLowerCase(), version: deleted ? 2 : 1, deleted },
    update: {},
  });
}

/** The comments subgraph's operations as the integration tests send them over HTTP. */
export interface CommentView {
  id: string;
  text: string;
  author: { id: string; name: string };
  createdAt: string;
  recipe: { id: string };
}

export interface CommentConnectionView {
  totalCount: number;
  edges: Array<{ cursor: string; node: { id: string; text: string; createdAt: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface RecipeEntityView {
  id: string;
  comments: CommentConnectionView;
}

const COMMENT_FIELDS = 'id text author { id name } createdAt recipe { id }';

const ADD_COMMENT = `mutation AddComment($input: AddCommentInput!) {
  addComment(input: $input) { ${COMMENT_FIELDS} }
}`;

const DELETE_COMMENT = `mutation DeleteComment($id: ID!) { deleteComment(id: $id) }`;

const GET_COMMENT = `query GetComment($id: ID!) { comment(id: $id) { ${COMMENT_FIELDS} } }`;

/** What the gateway sends to fetch `Recipe.comments` for a page of recipes. */
const RECIPE_COMMENTS = `query RecipeComments($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on Recipe {
      id
      comments(first: $first, after: $after) {
        totalCount
        edges { cursor node { id text createdAt } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

/** Adds a comment to a recipe the replica knows (it is announced first when its id is a UUID). */
export async function requestAddComment(service: CommentsUnderTest, input: Record<string, unknown>, as?: Viewer) {
  if (typeof input.recipeId === 'string' && isUuid(input.recipeId))
    await announceRecipe(service.prisma, input.recipeId);
  return requestAddCommentAsIs(service.url, input, as);
}

/** Sends addComment without announcing the recipe first, as `TEST_USER` unless `as` says otherwise. */
export function requestAddCommentAsIs(url: string, input: Record<string, unknown>, as?: Viewer) {
  return graphqlRequest<{ addComment: CommentView }>(url, ADD_COMMENT, { input }, {}, { as });
}

export function requestDeleteComment(url: string, id: string, as?: Viewer) {
  return graphqlRequest<{ deleteComment: string }>(url, DELETE_COMMENT, { id }, {}, { as });
}

export async function getComment(url: string, id: string): Promise<CommentView | null> {
  return dataOf(await graphqlRequest<{ comment: CommentView | null }>(url, GET_COMMENT, { id })).comment;
}

export async function addComment(
  service: CommentsUnderTest,
  input: Record<string, unknown>,
  as?: Viewer,
): Promise<CommentView> {
  return dataOf(await requestAddComment(service, input, as)).addComment;
}

export interface PageArgs {
  first?: number;
  after?: string | null;
}

export function requestRecipeComments(url: string, recipeIds: string[], page: PageArgs = {}) {
  const representations = recipeIds.map((id) => ({ __typename: 'Recipe', id }));
  return graphqlRequest<{ _entities: RecipeEntityView[] }>(url, RECIPE_COMMENTS, { r: representations, ...page });
}

export async function recipeComments(url: string, recipeId: string, page: PageArgs = {}) {
  const [entity] = dataOf(await requestRecipeComments(url, [recipeId], page))._entities;
  if (!entity) throw new Error(`no entity returned for recipe ${recipeId}`);
  return entity.comments;
}

/** The response's data, or a failure that shows the errors the service returned. */
export function dataOf<Data>(response: GraphQLResponse<Data>): Data {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL request failed (${response.status}): ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}
