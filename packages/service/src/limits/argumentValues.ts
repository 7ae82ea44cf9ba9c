import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

/**
 * Reads an Int argument as this request gives it: a literal, or a variable's value as sent,
 * else the variable's default. Anything else reads as undefined.
 */
export function argumentReader(
  document: DocumentNode,
  variables: Record<string, unknown>,
): (node: ValueNode) => unknown {
  const defaults = new Map<string, unknown>();
  visit(document, {
    VariableDefinition(definition) {
      const fallback = definition.defaultValue;
      if (fallback?.kind === Kind.INT) defaults.set(definition.variable.name.value, Number(fallback.value));
    },
  });
  return (node) => {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return variables[node.name.value] ?? defaults.get(node.name.value);
    return undefined;
  };
}
