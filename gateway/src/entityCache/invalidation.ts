import type { EventData, EventType, ValidEvent } from '@potluck/messaging';
import { isUuid } from '@potluck/service';

/** What a cached answer is about: one entity (`Recipe:<id>`), or every entity of a type (`Recipe:*`). */
export type EntityTag = `${string}:${string}`;

/**
 * Ids are UUIDs, which the subgraphs accept in any case and store in lower case: a mutation's
 * argument spelled in upper case must drop the entity cached under the stored spelling.
 */
export const entityTag = (type: string, id: string): EntityTag => `${type}:${isUuid(id) ? id.toLowerCase() : id}`;
export const everyEntityOf = (type: string): EntityTag => `${type}:*`;
/**
 * Every list of a type a root field answers (`recipes`): which entities it holds, in which
 * order, and their fields. Any change to an entity of the type may change a list of it.
 */
export const listsOf = (type: string): EntityTag => `${type}[]:*`;

/**
 * Which cached entities an event makes stale, for every event type of the contract (the
 * `satisfies` makes a new type fail to compile until it has a row). Entities of every
 * subgraph: a comment added changes its recipe's `comments` in the comments subgraph (and its
 * `commentCount` in recipes, which is never cached, see `entityFields.ts`).
 */
const EVENT_TAGS = {
  'recipe.created': (data) => [entityTag('Recipe', data.id), listsOf('Recipe')],
  'recipe.updated': (data) => [entityTag('Recipe', data.id), listsOf('Recipe')],
  'recipe.deleted': (data) => [entityTag('Recipe', data.id), listsOf('Recipe')],
  'comment.added': (data) => [entityTag('Comment', data.id), entityTag('Recipe', data.recipeId)],
  'comment.deleted': (data) => [entityTag('Comment', data.id), entityTag('Recipe', data.recipeId)],
} satisfies { [Type in EventType]: (data: EventData[Type]) => EntityTag[] };

export function tagsOfEvent(event: ValidEvent): EntityTag[] {
  return (EVENT_TAGS[event.type] as (data: ValidEvent['data']) => EntityTag[])(event.data);
}

/** A mutation field's arguments (variables applied) and its answer, as the subgraph sent it. */
export interface MutationCall {
  args: Record<string, unknown>;
  result: unknown;
}

const idIn = (value: unknown, field = 'id'): string | undefined => {
  const id = (value as Record<string, unknown> | null | undefined)?.[field];
  return typeof id === 'string' ? id : undefined;
};

const tagsOf = (...tags: Array<[type: string, id: string | undefined]>): EntityTag[] =>
  tags.flatMap(([type, id]) => (id === undefined ? [] : [entityTag(type, id)]));

/**
 * Which cached entities a mutation through this gateway touched, from its arguments and
 * answer, so they are dropped before the answer goes back (read-your-writes). The event that
 * follows drops them again everywhere. `deleteComment` names only the comment, not its recipe,
 * so it drops every cached recipe (rare, and the alternative is a stale `comments` list).
 */
const MUTATION_TAGS: Readonly<Record<string, (call: MutationCall) => EntityTag[]>> = {
  createRecipe: ({ result }) => [...tagsOf(['Recipe', idIn(result)]), listsOf('Recipe')],
  updateRecipe: ({ args, result }) => [...tagsOf(['Recipe', idIn(args)], ['Recipe', idIn(result)]), listsOf('Recipe')],
  deleteRecipe: ({ args }) => [...tagsOf(['Recipe', idIn(args)]), listsOf('Recipe')],
  addComment: ({ args, result }) => tagsOf(['Recipe', idIn(args.input, 'recipeId')], ['Comment', idIn(result)]),
  deleteComment: ({ args }) => [...tagsOf(['Comment', idIn(args)]), everyEntityOf('Recipe')],
};

/** The tags a mutation field touched; undefined for a mutation this table does not know (drop everything). */
export function tagsOfMutation(field: string, call: MutationCall): EntityTag[] | undefined {
  return Object.hasOwn(MUTATION_TAGS, field) ? MUTATION_TAGS[field]!(call) : undefined;
}
