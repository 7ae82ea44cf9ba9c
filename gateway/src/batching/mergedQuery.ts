import { Kind, parse, print, stripIgnoredCharacters, visit, type OperationDefinitionNode } from 'graphql';

/**
 * The name member `index` of a merged query gives its root fields (as aliases) and its
 * variables. A response key cannot otherwise start with it: the planner never writes an
 * alias of this shape, and a client's own alias never reaches a subgraph's root unchanged.
 */
export function memberPrefix(index: number): string {
  return `_b${index}_`;
}

const MEMBER_KEY = /^_b(\d+)_(.+)$/s;

/** Member index and the member's own key of a merged root key (`_b3_recipes` → 3, `recipes`). */
export function memberOfKey(key: string): { index: number; key: string } | undefined {
  const match = MEMBER_KEY.exec(key);
  return match ? { index: Number(match[1]), key: match[2] as string } : undefined;
}

/**
 * A planned subgraph query that several client requests can send as one: the text asking
 * what `count` members ask (root fields aliased, variables renamed per member), and the
 * response keys each member reads at the root.
 */
export interface MergeableQuery {
  /** Built on first use for each count, then kept: a plan's fetch is merged the same way every time. */
  textFor(count: number): string;
  /** The root response keys of one member, unprefixed. */
  rootKeys: readonly string[];
}
/**
 * Only a lone query operation whose root selections are all fields can be merged by aliasing:
 * a mutation must run alone and in order, a fragment would need renaming per member.
 */
function mergeableOperation(text: string): OperationDefinitionNode | undefined {
  let document;
  try {
    document = parse(text, { noLocation: true });
  } catch {
    return undefined;
  }
  const [operation, ...rest] = document.definitions;
  if (rest.length > 0 || operation?.kind !== Kind.OPERATION_DEFINITION || operation.operation !== 'query') {
    return undefined;
  }
  if (operation.directives?.length) return undefined;
  if (!operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD)) return undefined;
  return operation;
}

function prefixed(operation: OperationDefinitionNode, prefix: string): OperationDefinitionNode {
  const renamed = visit(operation, {
    [Kind.VARIABLE]: (variable) => ({ ...variable, name: { ...variable.name, value: prefix + variable.name.value } }),
  });
  return {
    ...renamed,
    selectionSet: {
      ...renamed.selectionSet,
      selections: renamed.selectionSet.selections.map((selection) =>
        selection.kind === Kind.FIELD
          ? { ...selection, alias: { kind: Kind.NAME, value: prefix + (selection.alias ?? selection.name).value } }
          : selection,
      ),
    },
  };
}

/** What `text` looks like as a member of a merged query, or undefined when it cannot be merged. */
export function mergeableQuery(text: string): MergeableQuery | undefined {
  const operation = mergeableOperation(text);
  if (!operation) return undefined;
  const members: Array<{ selections: string; variables: string }> = [];
  const texts: string[] = [];
  const memberText = (index: number) => {
    let member = members[index];
    if (!member) {
      const renamed = prefixed(operation, memberPrefix(index));
      member = {
        selections: renamed.selectionSet.selections.map((selection) => print(selection)).join(' '),
        variables: (renamed.variableDefinitions ?? []).map((definition) => print(definition)).join(', '),
      };
      members[index] = member;
    }
    return member;
  };
  const name = operation.name ? ` ${operation.name.value}` : '';
  return {
    rootKeys: operation.selectionSet.selections.map((field) =>
      field.kind === Kind.FIELD ? (field.alias ?? field.name).value : '',
    ),
    textFor(count) {
      let merged = texts[count];
      if (merged === undefined) {
        const parts = Array.from({ length: count }, (_, index) => memberText(index));
        const variables = parts.map((part) => part.variables).filter((definitions) => definitions !== '');
        const definitions = variables.length > 0 ? `(${variables.join(', ')})` : '';
        merged = stripIgnoredCharacters(
          `query${name}${definitions} { ${parts.map((part) => part.selections).join(' ')} }`,
        );
        texts[count] = merged;
      }
      return merged;
    },
  };
}
