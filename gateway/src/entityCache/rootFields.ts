import { BREAK, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ENTITY_FIELDS, uncacheableReason } from './entityFields.js';
import { entityTag, listsOf, type EntityTag } from './invalidation.js';

/**
 * What a root query field's answer is about, from its arguments (variables applied): the tags
 * whose invalidation makes it stale, or why it may not be kept. Only whole responses are kept
 * by root field (`responseCache.ts`); the entity cache itself never serves a root fetch.
 */
export type RootDecision = (args: Record<string, unknown>) => EntityTag[] | { never: string };

const byId =
  (type: string): RootDecision =>
  ({ id }) =>
    typeof id === 'string' ? [entityTag(type, id)] : { never: `${type} without a string id` };

const BY_COMMENT_COUNT = {
  never:
    'ordered by commentCount, which the recipes service recounts when it applies a comments event (see entityFields.ts)',
};

/**
 * Every root query field of the API (a unit test fails when one has no row). `recipes` is a
 * page of a list: every recipe event (and recipe mutation) drops every cached list of recipes.
 * A comment changes no list but the one ordered by comment count, which is never kept.
 */
export const ROOT_FIELDS: Readonly<Record<string, RootDecision>> = {
  recipe: byId('Recipe'),
  recipes: ({ orderBy }) => (orderBy === 'MOST_COMMENTED' ? BY_COMMENT_COUNT : [listsOf('Recipe')]),
  comment: byId('Comment'),
  viewer: () => ({ never: 'its answer depends on who asks' }),
};

/** The tags of a root field's answer, or why it may not be kept (also for a field without a row). */
export function tagsOfRootField(field: string, args: Record<string, unknown>): EntityTag[] | { never: string } {
  return Object.hasOwn(ROOT_FIELDS, field) ? ROOT_FIELDS[field]!(args) : { never: `Query.${field} has no decision` };
}

/**
 * Why a root fetch's selection may not be kept, or undefined: every field of a cached entity
 * type inside it, at any depth, needs `cache` in `ENTITY_FIELDS` (a page of recipes selecting
 * `commentCount` is not kept), and every other field must be in the API schema.
 */
export function uncacheableNestedField(document: DocumentNode, schema: GraphQLSchema): string | undefined {
  const typeInfo = new TypeInfo(schema);
  let reason: string | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = node.name.value;
        if (!parent || !typeInfo.getFieldDef()) reason = `${parent?.name ?? '?'}.${field} is not in the API schema`;
        else if (Object.hasOwn(ENTITY_FIELDS, parent.name)) reason = uncacheableReason(parent.name, [field]);
        return reason ? BREAK : undefined;
      },
    }),
  );
  return reason;
}
