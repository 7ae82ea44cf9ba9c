import type { EventHandlers } from '@potluck/messaging';
import type { Transaction } from './db.js';
import { onCommentAdded, onCommentDeleted } from './handlers/onCommentEvents.js';

/** The comments service's events this service keeps its comment replica from. */
export const CONSUMES_FROM = 'comments';

/** What this service consumes, and how: the queue's bindings are these keys. */
export const commentEventHandlers = {
  'comment.added': onCommentAdded,
  'comment.deleted': onCommentDeleted,
} satisfies EventHandlers<Transaction>;
