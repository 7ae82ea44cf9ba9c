import {
  Kind,
  OperationTypeNode,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/** The query that resolves a payload's entity: `query($key: ID!, …) { <alias>: comment(id: $key) { … } }`. */
export interface EntityQuery {
  document: DocumentNode;
  source: string;
  /** The variable the entity's id goes in. */
  idVariable: string;
  /** The client's variables the selection uses, and nothing else (no `after`, no key). */
  variables: Record<string, unknown>;
  /** The response keys the entity is fetched under (one per alias of the payload's entity field). */
  responseKeys: string[];
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;

/** The fragments and variables a selection uses, following fragment spreads. */
export function usedBy(
  selections: readonly SelectionSetNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
) {
  const fragmentNames = new Set<string>();
  const variableNames = new Set<string>();
  const pending: Array<SelectionSetNode | FragmentDefinitionNode> = [...selections];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      Variable: (variable) => void variableNames.add(variable.name.value),
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !fragmentNames.has(spread.name.value)) {
          fragmentNames.add(spread.name.value);
          pending.push(fragment);
        }
      },
    });
  }
  return { fragmentNames, variableNames };
}

function unusedName(base: string, taken: ReadonlySet<string>): string {
  let candidate = base;
  for (let n = 1; taken.has(candidate); n++) candidate = `${base}${n}`;
  return candidate;
}

/**
 * The query equivalent to what a subscriber selects under the payload's entity field: each
 * response key of that field (`comment`, or its aliases) becomes `Query.<field>(id:)` with the
 * same selections, fragments and variables. Run through the gateway, it follows the normal
 * query plan, so fields another subgraph owns resolve as in any query.
 */
export function entityQueryFor(options: {
  entityField: string;
  /** Response key → the field nodes the client selected under that key (graphql-js `collectSubfields`). */
  selected: ReadonlyMap<string, readonly FieldNode[]>;
  document: DocumentNode;
  variableDefinitions: readonly VariableDefinitionNode[];
  variables: Record<string, unknown>;
}): EntityQuery {
  const fragments = new Map(
    options.document.definitions
      .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((definition) => [definition.name.value, definition] as const),
  );
  const idVariable = unusedName(
    'potluckEntityId',
    new Set(options.variableDefinitions.map((definition) => definition.variable.name.value)),
  );
  const entityFields = [...options.selected].filter(([, nodes]) => nodes[0]?.name.value === options.entityField);
  const selections: FieldNode[] = entityFields.map(([responseKey, nodes]) => ({
    kind: Kind.FIELD,
    alias: name(responseKey),
    name: name(options.entityField),
    arguments: [{ kind: Kind.ARGUMENT, name: name('id'), value: { kind: Kind.VARIABLE, name: name(idVariable) } }],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
    },
  }));
  const { fragmentNames, variableNames } = usedBy(
    selections.map((selection) => selection.selectionSet!),
    fragments,
  );
  const variableDefinitions: VariableDefinitionNode[] = [
    {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: name(idVariable) },
      type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: name('ID') } },
    },
    ...options.variableDefinitions.filter((definition) => variableNames.has(definition.variable.name.value)),
  ];
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: name('SubscriptionPayload'),
        variableDefinitions,
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...[...fragmentNames].map((fragment) => fragments.get(fragment)!),
    ],
  };
  const variables = Object.fromEntries(
    Object.entries(options.variables).filter(([variable]) => variableNames.has(variable)),
  );
  return {
    document,
    source: print(document),
    idVariable,
    variables,
    responseKeys: entityFields.map(([responseKey]) => responseKey),
  };
}
