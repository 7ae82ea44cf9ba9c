import { createHash } from 'node:crypto';
import {
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { uncacheableReason } from './entityFields.js';
import { uncacheableNestedField } from './rootFields.js';

/** A root field of an operation the gateway sent a subgraph: where its answer is, and its arguments. */
export interface RootField {
  name: string;
  responseKey: string;
  args(variables: Record<string, unknown>): Record<string, unknown>;
}

/** What the entity cache makes of one subgraph operation of a query plan. */
export type SubgraphOperation =
  | { kind: 'entities'; selection: string }
  | { kind: 'root'; fields: RootField[] }
  | { kind: 'uncacheable'; reason: string }
  | { kind: 'mutation'; fields: RootField[] };

/**
 * Distinct operations of the query plans in force: a few dozen of a few KB. A client controls
 * the text (the planner keeps its literals inline), so the bound is on the characters kept, and
 * a text too long to keep is described again each time it comes.
 */
const described = new LRUCache<string, SubgraphOperation>({
  maxSize: 4 * 1024 * 1024,
  maxEntrySize: 64 * 1024,
  sizeCalculation: (_operation, query) => query.length,
});

/** Characters of query text the descriptions are kept under (bounded, see `described`). */
export const describedChars = (): number => described.calculatedSize;

/** Forgets every description: a new supergraph may describe the same text differently. */
export const forgetDescriptions = (): void => described.clear();

/**
 * The operation a subgraph fetch sends, described once per distinct query text: an
 * `_entities` fetch whose every field may be cached (`selection` names the query, for the
 * cache key), root query fields whose whole answer may be kept with the response (checked
 * against the API `schema`; without one, none may), a mutation (whose fields say what it
 * touched), or why it is not cached.
 */
export function describeOperation(query: string, document?: DocumentNode, schema?: GraphQLSchema): SubgraphOperation {
  let found = described.get(query);
  if (!found) {
    found = describe(document ?? parse(query), schema);
    described.set(query, found);
  }
  return found;
}

function describe(document: DocumentNode, schema: GraphQLSchema | undefined): SubgraphOperation {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const [operation] = operations as OperationDefinitionNode[];
  if (operations.length !== 1 || !operation) return { kind: 'uncacheable', reason: 'not one operation' };
  const fields = operation.selectionSet.selections;
  if (operation.operation === 'mutation') {
    if (fields.some((field) => field.kind !== Kind.FIELD)) return { kind: 'mutation', fields: [] };
    return { kind: 'mutation', fields: (fields as FieldNode[]).map((field) => rootField(field, operation)) };
  }
  if (operation.operation !== 'query') return { kind: 'uncacheable', reason: 'not a query' };
  const [only] = fields;
  if (fields.length !== 1 || only?.kind !== Kind.FIELD || only.name.value !== '_entities') {
    return describeRoot(document, operation, schema);
  }
  if (only.alias || only.directives?.length || !only.selectionSet) {
    return { kind: 'uncacheable', reason: 'not an _entities fetch' };
  }
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const reason = uncacheableSelection(only.selectionSet, fragments);
  if (reason) return { kind: 'uncacheable', reason };
  return { kind: 'entities', selection: selectionHash(document, operation) };
}

/**
 * The hash that names an `_entities` fetch in the cache key: the printed document without the
 * operation's name, which the planner derives from the client's operation name. The same
 * selection under many client names is one key, so renaming cannot fill the cache.
 */
function selectionHash(document: DocumentNode, operation: OperationDefinitionNode): string {
  const definitions = document.definitions.map((definition) =>
    definition === operation ? { ...operation, name: undefined } : definition,
  );
  return createHash('sha256')
    .update(print({ ...document, definitions }))
    .digest('base64url');
}

/** Root query fields: kept only with a whole response, when each has a row in `ROOT_FIELDS` and nothing nested is uncacheable. */
function describeRoot(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  schema: GraphQLSchema | undefined,
): SubgraphOperation {
  const fields = operation.selectionSet.selections;
  if (!schema) return { kind: 'uncacheable', reason: 'no API schema yet' };
  if (fields.some((field) => field.kind !== Kind.FIELD || field.directives?.length)) {
    return { kind: 'uncacheable', reason: 'a root selection that is not a plain field' };
  }
  const reason = uncacheableNestedField(document, schema);
  if (reason) return { kind: 'uncacheable', reason };
  return { kind: 'root', fields: (fields as FieldNode[]).map((field) => rootField(field, operation)) };
}

/**
 * A root field's arguments as the subgraph will read them: a variable the client left out
 * takes its default from the operation (the gateway forwards only the variables it was given,
 * and the planner keeps the defaults in the text).
 */
function rootField(field: FieldNode, operation: OperationDefinitionNode): RootField {
  const defaults = Object.fromEntries(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue ? [[definition.variable.name.value, valueFromASTUntyped(definition.defaultValue)]] : [],
    ),
  );
  return {
    name: field.name.value,
    responseKey: field.alias?.value ?? field.name.value,
    args: (variables) =>
      Object.fromEntries(
        (field.arguments ?? []).map((argument) => [
          argument.name.value,
          valueFromASTUntyped(argument.value, { ...defaults, ...variables }),
        ]),
      ),
  };
}

/** Why the fields selected on the entities are not all cacheable (type by type), or undefined. */
function uncacheableSelection(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  type?: string,
): string | undefined {
  const fields: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (type === undefined && selection.name.value !== '__typename') return 'a field outside a type condition';
      fields.push(selection.name.value);
      continue;
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
    const on = fragment?.typeCondition?.name.value ?? type;
    if (!fragment || on === undefined) return 'a fragment without a type';
    if (type !== undefined && on !== type) return 'a nested type condition';
    const reason = uncacheableSelection(fragment.selectionSet, fragments, on);
    if (reason) return reason;
  }
  return type === undefined ? undefined : uncacheableReason(type, fields);
}
