import { BREAK, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { ENTITY_FIELDS } from '../entityCache/entityFields.js';

/**
 * The fields whose value is the same whoever asks, by type. The subgraphs read the viewer only
 * in mutations and in `Query.viewer`; everything else below answers the same to every viewer.
 * A type or field missing here is treated as depending on the viewer, so a field a reloaded
 * supergraph adds is never shared across viewers until someone declares it.
 */
const VIEWER_INDEPENDENT: Readonly<Record<string, ReadonlySet<string>>> = {
  // Recipe and Comment: entityFields.ts lists every field and states that none depends on the viewer.
  ...Object.fromEntries(Object.entries(ENTITY_FIELDS).map(([type, fields]) => [type, new Set(Object.keys(fields))])),
  // The lookups a payload's entity query starts with: which entity an id names is not up to the viewer.
  Query: new Set(['comment', 'recipe']),
  // An author: a snapshot of whoever wrote the recipe or comment, stored with it (not the viewer).
  User: new Set(['id', 'name']),
  // A recipe's comments: every comment is visible to everyone, so the pages are the same for all.
  CommentConnection: new Set(['edges', 'pageInfo', 'totalCount']),
  CommentEdge: new Set(['cursor', 'node']),
  PageInfo: new Set(['endCursor', 'hasNextPage']),
};

/** Whether `type.field` is declared to answer the same to every viewer (`__typename` always does). */
export function isViewerIndependent(type: string, field: string): boolean {
  if (field === '__typename') return true;
  const fields = Object.hasOwn(VIEWER_INDEPENDENT, type) ? VIEWER_INDEPENDENT[type] : undefined;
  return fields?.has(field) ?? false;
}

/**
 * Whether every field a query selects (in its fragments too) is declared viewer-independent,
 * so its answer may be fetched once, anonymously, for every viewer. A field the schema does
 * not know, or one on an interface or union, counts as dependent.
 */
export function selectsOnlyViewerIndependent(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let independent = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || !typeInfo.getFieldDef() || !isViewerIndependent(parent.name, node.name.value)) {
          independent = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return independent;
}
