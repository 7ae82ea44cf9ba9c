import { Kind, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { oncePerNode } from './oncePerNode.js';

/**
 * The Int defaults of the variables the operation that runs declares, by name (another
 * operation of the same document may give the same name another default), read once per operation.
 */
export const intVariableDefaults = oncePerNode(
  (operation: OperationDefinitionNode): ReadonlyMap<string, number> =>
    new Map(
      (operation.variableDefinitions ?? []).flatMap(({ variable, defaultValue }): Array<[string, number]> =>
        defaultValue?.kind === Kind.INT ? [[variable.name.value, Number(defaultValue.value)]] : [],
      ),
    ),
);

/**
 * A page-size variable as this request gives it: the whole number sent, else the variable's
 * default (undefined when it has none). Anything else a client sends (null, a string, an
 * object) reads as not sent: it changes neither the page size nor the cost this is checked at,
 * and variable coercion refuses it before anything runs.
 */
export function variablePageSize(sent: unknown, fallback: number | undefined): number | undefined {
  return Number.isInteger(sent) ? (sent as number) : fallback;
}

/** Reads an Int argument as this request gives it: a literal, or a variable (see `variablePageSize`). */
export function argumentReader(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): (node: ValueNode) => number | undefined {
  const defaults = intVariableDefaults(operation);
  return (node) => {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return variablePageSize(variables[node.name.value], defaults.get(node.name.value));
    return undefined;
  };
}
