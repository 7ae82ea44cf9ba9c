import {
  getNamedType,
  isLeafType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export interface FuzzOperation {
  field: string;
  kind: 'query' | 'mutation';
  document: string;
  /** Every argument in the document, root and nested, by the variable it is sent as. */
  variables: Array<{ name: string; type: GraphQLInputType }>;
}

/** Subselections below a root field: deep enough to reach nested arguments such as `Recipe.comments(after:)`. */
const MAX_DEPTH = 4;

/**
 * One operation per root field: all its arguments as variables, and a selection of every field
 * below it (to a bound depth), each field's own arguments as variables too.
 */
export function fuzzOperations(schema: GraphQLSchema): FuzzOperation[] {
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const;
  return roots.flatMap(([kind, type]) =>
    Object.values(type?.getFields() ?? {}).map((field) => {
      const variables: FuzzOperation['variables'] = [];
      const selection = fieldSelection(field, variables, 0);
      const definitions = variables.map(({ name, type: varType }) => `$${name}: ${String(varType)}`).join(', ');
      const document = `${kind} Fuzz_${field.name}${definitions ? `(${definitions})` : ''} { ${selection} }`;
      return { field: field.name, kind, document, variables };
    }),
  );
}

function fieldSelection(
  field: GraphQLField<unknown, unknown>,
  variables: FuzzOperation['variables'],
  depth: number,
): string {
  const args = field.args.map((arg: GraphQLArgument) => {
    const name = `v${variables.length}_${arg.name}`;
    variables.push({ name, type: arg.type });
    return `${arg.name}: $${name}`;
  });
  const head = args.length > 0 ? `${field.name}(${args.join(', ')})` : field.name;
  const type = getNamedType(field.type);
  if (isLeafType(type)) return head;
  if (!isObjectType(type) || depth >= MAX_DEPTH) return `${head} { __typename }`;
  const children = Object.values(type.getFields())
    .filter((child) => isLeafType(getNamedType(child.type)) || depth + 1 < MAX_DEPTH)
    .map((child) => fieldSelection(child, variables, depth + 1));
  return `${head} { ${children.join(' ')} }`;
}
