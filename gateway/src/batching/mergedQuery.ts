import {
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  visit,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';

/*
 * Names in a merged query are letters, digits and `_` only, and its root aliases letters and
 * digits only: a subgraph that compiles operations may take nothing else (Potluck's name
 * graphql-jit's generated code after response keys; bench/README item 25).
 */

/** Member `index`'s name for its own variable `name` (`$after` → `$b3_after`). */
export function memberVariable(index: number, name: string): string {
  return `b${index}_${name}`;
}

/** The alias member `index` gives its root key `rootKeys[keyIndex]` (`b3k0`). */
export function mergedKey(index: number, keyIndex: number): string {
  return `b${index}k${keyIndex}`;
}

const responseKey = (field: FieldNode) => (field.alias ?? field.name).value;

const MERGED_KEY = /^b(0|[1-9]\d*)k(0|[1-9]\d*)$/;

/** Member index and the member's own key of a merged root key (`b3k0` → 3, `rootKeys[0]`). */
export function memberOfKey(key: string, rootKeys: readonly string[]): { index: number; key: string } | undefined {
  const match = MERGED_KEY.exec(key);
  const own = match ? rootKeys[Number(match[2])] : undefined;
  return match && own !== undefined ? { index: Number(match[1]), key: own } : undefined;
}

/**
 * A planned subgraph query that several client requests can send as one: the text asking
 * what `count` members ask (root fields aliased, variables renamed per member), and the
 * response keys each member reads at the root.
 */
export interface MergeableQuery {
  /** Joined per call from each member's part, built once; only the parts are kept. */
  textFor(count: number): string;
  /** The distinct root response keys of one member, in order: a merged alias names one by its place. */
  rootKeys: readonly string[];
  /** Roughly what is kept for up to `members` members (the parsed operation, their parts), in characters. */
  sizeFor(members: number): number;
}

/**
 * Planned texts longer than this go alone: the parts kept per member grow with the text, and
 * a page's planned fetch is a few hundred characters.
 */
export const LONGEST_MERGEABLE_TEXT = 8 * 1024;
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

function renamed(
  operation: OperationDefinitionNode,
  index: number,
  rootKeys: readonly string[],
): OperationDefinitionNode {
  const withVariables = visit(operation, {
    [Kind.VARIABLE]: (variable) => ({
      ...variable,
      name: { ...variable.name, value: memberVariable(index, variable.name.value) },
    }),
  });
  return {
    ...withVariables,
    selectionSet: {
      ...withVariables.selectionSet,
      selections: withVariables.selectionSet.selections.map((selection) =>
        selection.kind === Kind.FIELD
          ? {
              ...selection,
              alias: { kind: Kind.NAME, value: mergedKey(index, rootKeys.indexOf(responseKey(selection))) },
            }
          : selection,
      ),
    },
  };
}

/** What `text` looks like as a member of a merged query, or undefined when it cannot be merged. */
export function mergeableQuery(text: string): MergeableQuery | undefined {
  if (text.length > LONGEST_MERGEABLE_TEXT) return undefined;
  const operation = mergeableOperation(text);
  if (!operation) return undefined;
  // Two root fields with one response key are one field of the answer: they share an alias.
  const rootKeys = [...new Set(operation.selectionSet.selections.map((field) => responseKey(field as FieldNode)))];
  const members: Array<{ selections: string; variables: string }> = [];
  const memberPart = (index: number) => {
    let member = members[index];
    if (!member) {
      const own = renamed(operation, index, rootKeys);
      const compact = (node: Parameters<typeof print>[0]) => stripIgnoredCharacters(print(node));
      member = {
        selections: own.selectionSet.selections.map(compact).join(' '),
        variables: (own.variableDefinitions ?? []).map(compact).join(' '),
      };
      members[index] = member;
    }
    return member;
  };
  const name = operation.name ? ` ${operation.name.value}` : '';
  return {
    rootKeys,
    // The parsed operation kept for renaming is several times the text; each member's parts about once.
    sizeFor: (count) => text.length * (count + 8),
    textFor(count) {
      const selections: string[] = [];
      const variables: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const part = memberPart(index);
        selections.push(part.selections);
        if (part.variables) variables.push(part.variables);
      }
      const definitions = variables.length > 0 ? `(${variables.join(' ')})` : '';
      return `query${name}${definitions}{${selections.join(' ')}}`;
    },
  };
}
