import { producerFor, type ConsumerHandlers } from '@potluck/messaging';
import type { Transaction } from './db.js';
import { onCommentAdded, onCommentDeleted } from './handlers/onCommentEvents.js';

/** The comments service's events this service keeps its comment replica from. */
export const CONSUMES_FROM = producerFor('recipes');

/** What this service consumes (`CONSUMED_BY.recipes`), and how: the queue's bindings are these keys. */
export const commentEventHandlers = {
  'comment.added': onCommentAdded,
  'comment.deleted': onCommentDeleted,
} satisfies ConsumerHandlers<'recipes', Transaction>;
