import { DateTimeScalar, selectsField, signedIn } from '@potluck/service';
import { addComment } from '../comments/addComment.js';
import { deleteComment } from '../comments/deleteComment.js';
import type { Resolvers } from '../generated/graphql.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    comment: (_parent, args, ctx) => ctx.commentById.load(args.id),
  },
  Mutation: {
    addComment: (_parent, args, ctx) => addComment(ctx.deps, signedIn(ctx.viewer, 'add a comment'), args.input),
    deleteComment: (_parent, args, ctx) => deleteComment(ctx.deps, signedIn(ctx.viewer, 'delete a comment'), args.id),
  },
  Recipe: {
    comments: (recipe, args, ctx, info) =>
      ctx.commentPages({ ...args, countTotal: selectsField(info, 'totalCount') }).load(recipe.id),
  },
  Comment: {
    __resolveReference: (reference, ctx) => ctx.commentById.load(reference.id),
    recipe: (comment) => ({ __typename: 'Recipe', id: comment.recipeId }),
    author: (comment) => ({ id: comment.authorId, name: comment.authorName }),
  },
};
