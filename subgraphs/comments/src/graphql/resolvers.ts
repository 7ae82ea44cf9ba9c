import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar } from '@potluck/service';
import { addComment } from '../comments/addComment.js';
import { deleteComment } from '../comments/deleteComment.js';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentsContext } from './context.js';

export const resolvers: GraphQLResolverMap<CommentsContext> = {
  DateTime: DateTimeScalar,
  Query: {
    comment: (_parent, args: { id: string }, ctx) => ctx.commentById.load(args.id),
  },
  Mutation: {
    addComment: (_parent, args: { input: object }, ctx) => addComment(ctx.deps, args.input),
    deleteComment: (_parent, args: { id: string }, ctx) => deleteComment(ctx.deps, args.id),
  },
  Recipe: {
    comments: (recipe: { id: string }, args: { first: number; after?: string | null }, ctx) =>
      ctx.commentPages(args.first, args.after).load(recipe.id),
  },
  Comment: {
    __resolveReference: (reference: { id: string }, ctx: CommentsContext) => ctx.commentById.load(reference.id),
    recipe: (comment: Comment) => ({ __typename: 'Recipe', id: comment.recipeId }),
  },
};
