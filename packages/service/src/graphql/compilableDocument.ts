import {
  BREAK,
  getNamedType,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  Kind,
  parseType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  type VariableNode,
} from 'graphql';

/*
 * What graphql-jit may compile, and how. graphql-jit writes each argument's literal values into
 * the JavaScript it generates, and turns any string of the form `"__MAGIC_DATE__<uuid><text>"`
 * into `new Date(<text>)` unescaped: a client's string literal, which Apollo's planner passes
 * through to the subgraph, became code (bench/README item 11). Here, before a document is
 * compiled, every string literal becomes a variable, and a literal anywhere graphql-jit would
 * read it without its type (inside a custom scalar such as `_Any`, where even an enum value
 * turns into a string) leaves the document to graphql-js: generated code holds no text a client
 * wrote, only GraphQL names. Documents that could meet graphql-jit's other faults go to
 * graphql-js as well: it names each field's resolve info by its response path joined with `_`
 * (two paths could share one), merges `@skip`/`@include` across the uses of a fragment, and
 * ignores the default of a non-null variable and of a variable inside a literal. And a small
 * document can expand into megabytes of generated code, fragment by fragment or through one
 * long alias: beyond `MAX_COMPILED_FIELDS`, long names and long documents are not compiled.
 */

/** Variables this module adds: a document declaring one of its own with this prefix is not compiled. */
const STRING_VARIABLE_PREFIX = 'potluckString';

/**
 * Response keys graphql-jit's joined path names cannot confuse: lower camel case, and these.
 * Short ones: it copies every ancestor's key into each field's code, about 170 bytes of code
 * per byte of key (a 900 KB alias compiled into 146 MB).
 */
const RESERVED_RESPONSE_KEYS = new Set(['__typename', '_entities', '_service']);
const PLAIN_RESPONSE_KEY = /^[a-z][A-Za-z0-9]{0,63}$/;
/** Variable names it writes into code as they are: short, and none it could take for `__proto__`. */
const PLAIN_VARIABLE_NAME = /^[A-Za-z][_A-Za-z0-9]{0,63}$/;
/** Planned fetches are a few hundred bytes; a longer document runs on graphql-js. */
export const MAX_COMPILED_DOCUMENT_LENGTH = 16 * 1024;
/** graphql-jit's own path key for a list item: an alias spelled so is not compiled. */
const LIST_INDEX_KEY = /^idx\d+$/;

/**
 * Scalars whose literals graphql-jit reads by their type. For the string ones `parseValue` of a
 * string equals `parseLiteral` of the same string literal, so moving a literal into a variable
 * changes nothing; validation already parsed every literal, so it is valid either way.
 */
const LITERAL_SCALARS = new Set(['String', 'ID', 'Int', 'Float', 'Boolean', 'DateTime', 'Decimal']);

/**
 * Fields of the operation as graphql-jit generates code for them: every fragment spread
 * expanded, and an abstract field's selection once per possible type, with only the fragments
 * that apply to that type (graphql-jit compiles a case per possible type). It generates about a
 * kilobyte of code per field (2 MB and 93 ms of compiling for a 1.7 KB document of 59 aliased
 * spreads). A planned fetch has a few dozen; the gateway merges up to 16 of one text into a call
 * (the example `RecipesWithComments`' recipes fetch merged sixteen times: 288 fields; a
 * 272-field merge of a shorter text compiled in 25 ms).
 */
export const MAX_COMPILED_FIELDS = 300;
const WALKED_PER_FIELD = 8;

export interface CompilableDocument {
  /** The document with each string literal replaced by a variable of its argument's type. */
  document: DocumentNode;
  /** Those variables' values, to add to the request's own. */
  strings: Record<string, string>;
  /** Fields graphql-jit generates code for (`expandedFieldCount`): what its plan costs to keep. */
  fields: number;
}

/** Why graphql-js runs a document rather than graphql-jit. */
export interface Interpreted {
  reason: string;
}

const isPlainKey = (key: string) =>
  RESERVED_RESPONSE_KEYS.has(key) || (PLAIN_RESPONSE_KEY.test(key) && !LIST_INDEX_KEY.test(key));

/** Why graphql-jit could get the document wrong other than by its literals, or undefined. */
function uncompilableShapeOf(document: DocumentNode): string | undefined {
  let reason: string | undefined;
  visit(document, {
    Directive(node) {
      reason = `@${node.name.value}`;
      return BREAK;
    },
    Field(node) {
      const name = node.name.value;
      const key = node.alias?.value ?? name;
      if (name.startsWith('__') && name !== '__typename') reason = `introspection (${name})`;
      else if (!isPlainKey(key)) reason = `response key "${key.slice(0, 80)}"`;
      return reason ? BREAK : undefined;
    },
    VariableDefinition(node) {
      const name = node.variable.name.value;
      if (name.startsWith(STRING_VARIABLE_PREFIX) || !PLAIN_VARIABLE_NAME.test(name)) {
        reason = `variable $${name.slice(0, 80)}`;
      } else if (node.type.kind === Kind.NON_NULL_TYPE && node.defaultValue) reason = `default of non-null $${name}`;
      return reason ? BREAK : undefined;
    },
  });
  return reason;
}

/**
 * Whether a fragment on `condition` applies where the parent is `parent`, as graphql-jit decides
 * for an object type; under an interface or an unknown type it is counted as applying.
 */
function fragmentApplies(
  schema: GraphQLSchema,
  condition: GraphQLNamedType | undefined,
  parent: GraphQLNamedType | undefined | null,
) {
  if (!condition || !isObjectType(parent) || condition === parent) return true;
  return isAbstractType(condition) && schema.isSubType(condition, parent);
}

/**
 * The operation's fields as graphql-jit generates code for them, counted up to just past `limit`.
 * Before generating, graphql-jit walks every field's whole subtree with each fragment spread
 * expanded, whether or not the fragment applies: fragments that apply nowhere count no field but
 * are walked all the same, and past `limit` times `WALKED_PER_FIELD` selections walked the
 * document counts as too big (spreads of spreads of such fragments, 70 to a level, kept
 * graphql-jit busy for seconds on a 2 KB document).
 */
function expandedFieldCount(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  limit: number,
): number {
  let count = 0;
  let walked = 0;
  /** `counted`: whether graphql-jit generates code for these fields, or only walks them. */
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined | null, counted: boolean) => {
    for (const selection of selectionSet.selections) {
      walked += 1;
      if (walked > limit * WALKED_PER_FIELD) count = limit + 1;
      if (count > limit) return;
      if (selection.kind === Kind.FIELD) {
        if (counted) count += 1;
        if (!selection.selectionSet) continue;
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
        const type = fields[selection.name.value] && getNamedType(fields[selection.name.value]!.type);
        const possibleTypes = counted && type && isAbstractType(type) ? schema.getPossibleTypes(type) : [];
        if (possibleTypes.length === 0) walk(selection.selectionSet, type, counted);
        for (const possibleType of possibleTypes) walk(selection.selectionSet, possibleType, true);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) continue;
        const conditionName = fragment.typeCondition?.name.value;
        const condition = conditionName === undefined ? undefined : (schema.getType(conditionName) ?? undefined);
        const applies = fragmentApplies(schema, condition, parent);
        walk(fragment.selectionSet, isObjectType(parent) ? parent : (condition ?? parent), counted && applies);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation), true);
  return count;
}

const VALUE_KINDS = new Set<string>([
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

const variableNamed = (value: string): VariableNode => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value } });

/**
 * The document ready for graphql-jit, or why graphql-js should run it: longer than
 * `MAX_COMPILED_DOCUMENT_LENGTH`, more than one operation, a directive, an alias or field outside
 * `isPlainKey`, a variable named outside `PLAIN_VARIABLE_NAME`, introspection, a non-null
 * variable with a default, more than `MAX_COMPILED_FIELDS` fields, a variable inside a literal,
 * or a literal whose type is not known or is a scalar outside `LITERAL_SCALARS`. Variables' default values
 * stay: graphql-jit writes them with `JSON.stringify` alone.
 */
export function compilableDocument(schema: GraphQLSchema, document: DocumentNode): CompilableDocument | Interpreted {
  const length = document.loc?.end ?? Infinity;
  if (length > MAX_COMPILED_DOCUMENT_LENGTH)
    return { reason: `a document of more than ${MAX_COMPILED_DOCUMENT_LENGTH} characters` };
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return { reason: `${operations.length} operations` };
  const shape = uncompilableShapeOf(document);
  if (shape) return { reason: shape };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fields = expandedFieldCount(schema, operations[0]!, fragments, MAX_COMPILED_FIELDS);
  if (fields > MAX_COMPILED_FIELDS) {
    return { reason: `more than ${MAX_COMPILED_FIELDS} fields with fragments expanded` };
  }

  const strings: Record<string, string> = {};
  const added: VariableDefinitionNode[] = [];
  let unsure: string | undefined;
  const typeInfo = new TypeInfo(schema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      // A default value cannot refer to a variable; graphql-jit quotes it as JSON.
      VariableDefinition: () => false,
      enter(node: ASTNode, _key, parent) {
        const type = typeInfo.getInputType();
        if (node.kind === Kind.VARIABLE) {
          // Inside a literal graphql-jit puts null where a variable left out should leave the
          // field out or take its default, and drops it inside a custom scalar's.
          if ((parent as ASTNode | undefined)?.kind === Kind.ARGUMENT) return undefined;
          unsure = 'a variable inside a literal';
          return BREAK;
        }
        if (!VALUE_KINDS.has(node.kind)) return undefined;
        const named = type && getNamedType(type);
        if (!named || (isScalarType(named) && !LITERAL_SCALARS.has(named.name))) {
          unsure = `a literal ${named ? `of type ${named.name}` : 'inside a custom scalar'}`;
          return BREAK;
        }
        if (node.kind !== Kind.STRING) return undefined;
        const name = `${STRING_VARIABLE_PREFIX}${added.length}`;
        strings[name] = node.value;
        added.push({ kind: Kind.VARIABLE_DEFINITION, variable: variableNamed(name), type: parseType(String(type)) });
        return variableNamed(name);
      },
    }),
  );
  if (unsure) return { reason: unsure };
  return {
    document: {
      ...rewritten,
      definitions: rewritten.definitions.map((definition) =>
        definition.kind === Kind.OPERATION_DEFINITION ? withVariables(definition, added) : definition,
      ),
    },
    strings,
    fields,
  };
}

function withVariables(operation: OperationDefinitionNode, added: VariableDefinitionNode[]): OperationDefinitionNode {
  return { ...operation, variableDefinitions: [...(operation.variableDefinitions ?? []), ...added] };
}
