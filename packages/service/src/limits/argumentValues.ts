import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

const defaultsOf = new WeakMap<DocumentNode, ReadonlyMap<string, number>>();

/**
 * The Int defaults of a document's variables, by variable name. Read once per document:
 * Apollo Server hands every request with the same query text the same parsed document.
 */
export function intVariableDefaults(document: DocumentNode): ReadonlyMap<string, number> {
  let defaults = defaultsOf.get(document);
  if (!defaults) {
    const found = new Map<string, number>();
    visit(document, {
      VariableDefinition(definition) {
        const fallback = definition.defaultValue;
        if (fallback?.kind === Kind.INT) found.set(definition.variable.name.value, Number(fallback.value));
      },
    });
    defaults = found;
    defaultsOf.set(document, defaults);
  }
  return defaults;
}

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
  document: DocumentNode,
  variables: Record<string, unknown>,
): (node: ValueNode) => number | undefined {
  const defaults = intVariableDefaults(document);
  return (node) => {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return variablePageSize(variables[node.name.value], defaults.get(node.name.value));
    return undefined;
  };
}
