import { Kind, parse, print, stripIgnoredCharacters, visit, type OperationDefinitionNode } from 'graphql';

/**
 * The prefix member `index` of a merged query gives its root response keys (as aliases) and
 * its variables. A member's own key may look like one (a client's alias `_b0_x` is planned as
 * it is): the merged key `_b1__b0_x` still reads back one way only, the first prefix.
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
  /** Joined per call from each member's part, built once; only the parts are kept. */
  textFor(count: number): string;
  /** The root response keys of one member, unprefixed. */
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
  if (text.length > LONGEST_MERGEABLE_TEXT) return undefined;
  const operation = mergeableOperation(text);
  if (!operation) return undefined;
  const members: Array<{ selections: string; variables: string }> = [];
  const memberPart = (index: number) => {
    let member = members[index];
    if (!member) {
      const renamed = prefixed(operation, memberPrefix(index));
      const compact = (node: Parameters<typeof print>[0]) => stripIgnoredCharacters(print(node));
      member = {
        selections: renamed.selectionSet.selections.map(compact).join(' '),
        variables: (renamed.variableDefinitions ?? []).map(compact).join(' '),
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
