import DataLoader from 'dataloader';
import type { Viewer } from '@potluck/identity';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentDeps } from '../comments/commentDeps.js';
import { getCommentsByIds } from '../comments/getComments.js';
import { loadCommentPages, type CommentPage, type CommentPageRequest } from '../comments/recipeComments.js';

export interface CommentsContext {
  deps: CommentDeps;
  /** Who the gateway says is asking; null when nobody signed in. */
  viewer: Viewer;
  commentById: DataLoader<string, Comment | null>;
  /** One loader per page request: every recipe in a gateway batch shares one query. */
  commentPages(request: CommentPageRequest): DataLoader<string, CommentPage>;
}

export function createContext(deps: CommentDeps, viewer: Viewer): CommentsContext {
  const pageLoaders = new Map<string, DataLoader<string, CommentPage>>();
  return {
    deps,
    viewer,
    commentById: new DataLoader((ids) => getCommentsByIds(deps, ids)),
    commentPages(request) {
      const key = JSON.stringify([request.first, request.after ?? null, request.countTotal]);
      let loader = pageLoaders.get(key);
      if (!loader) {
        loader = new DataLoader((recipeIds) => loadCommentPages(deps, recipeIds, request));
        pageLoaders.set(key, loader);
      }
      return loader;
    },
  };
}
