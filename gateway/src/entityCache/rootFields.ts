import {
  BREAK,
  getNamedType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
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

/**
 * The orders of a page that change only with recipe events. `MOST_COMMENTED` follows
 * `commentCount`, which the recipes service recounts when it applies a comments event (see
 * entityFields.ts); an order not listed (a new one, or anything else) is never kept.
 */
const ORDERS_KEPT = new Set([undefined, 'NEWEST', 'OLDEST', 'TITLE', 'QUICKEST', 'CHEAPEST']);

/**
 * Every root query field of the API (a unit test fails when one has no row). `recipes` is a
 * page of a list: every recipe event (and recipe mutation) drops every cached list of recipes.
 * A comment changes no list but the one ordered by comment count, which is never kept.
 */
export const ROOT_FIELDS: Readonly<Record<string, RootDecision>> = {
  recipe: byId('Recipe'),
  recipes: ({ orderBy }) =>
    ORDERS_KEPT.has(orderBy as string | undefined) ? [listsOf('Recipe')] : { never: `ordered by ${String(orderBy)}` },
  comment: byId('Comment'),
  viewer: () => ({ never: 'its answer depends on who asks' }),
};

/** The tags of a root field's answer, or why it may not be kept (also for a field without a row). */
export function tagsOfRootField(field: string, args: Record<string, unknown>): EntityTag[] | { never: string } {
  return Object.hasOwn(ROOT_FIELDS, field) ? ROOT_FIELDS[field]!(args) : { never: `Query.${field} has no decision` };
}

/**
 * An entity reached through a field of another is covered by the outer one's tag only through
 * these fields: a recipe's comments change only by comment events, which drop the recipe, and a
 * comment never changes. Through any other (`Comment.recipe`), only its key may be selected:
 * `comment(id) { recipe { comments } }` is about a recipe no tag of the answer names.
 */
const COVERED_BY_OUTER_TAG = new Set(['Recipe.comments']);
const KEY_FIELDS = new Set(['id', '__typename']);

/** Where a selection is: the nearest entity around it, whether the answer's tags cover all of it, and the field that left it. */
interface Scope {
  entity?: string;
  covered: boolean;
  via?: string;
}

/**
 * Why a root fetch's selection may not be kept, or undefined: every field of a cached entity
 * type inside it, at any depth, needs `cache` in `ENTITY_FIELDS` (a page of recipes selecting
 * `commentCount` is not kept), an entity nested in another selects only its key unless the
 * outer one's tag covers it (`COVERED_BY_OUTER_TAG`), and every other field must be in the API
 * schema.
 */
export function uncacheableNestedField(document: DocumentNode, schema: GraphQLSchema): string | undefined {
  const typeInfo = new TypeInfo(schema);
  const scopes: Scope[] = [{ covered: true }];
  let reason: string | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const type = typeInfo.getType();
          const field = node.name.value;
          const scope = scopes.at(-1)!;
          if (!parent || !type) reason = `${parent?.name ?? '?'}.${field} is not in the API schema`;
          else if (Object.hasOwn(ENTITY_FIELDS, parent.name)) {
            reason = scope.covered
              ? uncacheableReason(parent.name, [field])
              : !KEY_FIELDS.has(field)
                ? `${parent.name}.${field} inside ${scope.via}: no tag of the answer covers it`
                : undefined;
          }
          if (reason) return BREAK;
          const via = parent!.name === scope.entity ? `${parent!.name}.${field}` : scope.via;
          const named = getNamedType(type!).name;
          scopes.push(
            Object.hasOwn(ENTITY_FIELDS, named)
              ? { entity: named, covered: !scope.entity || (scope.covered && COVERED_BY_OUTER_TAG.has(via!)), via }
              : { ...scope, via },
          );
          return undefined;
        },
        leave() {
          scopes.pop();
        },
      },
    }),
  );
  return reason;
}
