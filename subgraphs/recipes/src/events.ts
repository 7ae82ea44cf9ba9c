import type { EventType } from '@potluck/events';

/** The comments service's events this service keeps its comment replica from. */
export const CONSUMES_FROM = 'comments';
export const BINDINGS: readonly EventType[] = ['comment.added', 'comment.deleted'];
