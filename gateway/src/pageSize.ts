import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

function valueOf(node: ValueNode, variables: Record<string, unknown>, defaults: Map<string, unknown>): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value] ?? defaults.get(node.name.value);
  return undefined;
}

/**
 * Every `first` argument the document asks for, literal or from a variable (or its
 * default), that is not a whole number from 1 to `max`.
 */
export function pageSizeViolations(
  document: DocumentNode,
  variables: Record<string, unknown>,
  max: number,
): Array<{ value: unknown; message: string }> {
  const defaults = new Map<string, unknown>();
  visit(document, {
    VariableDefinition(definition) {
      const fallback = definition.defaultValue;
      if (fallback?.kind === Kind.INT) defaults.set(definition.variable.name.value, Number(fallback.value));
    },
  });
  const violations: Array<{ value: unknown; message: string }> = [];
  visit(document, {
    Argument(argument) {
      if (argument.name.value !== 'first') return;
      const value = valueOf(argument.value, variables, defaults);
      if (typeof value !== 'number') return;
      if (!Number.isInteger(value) || value < 1 || value > max) {
        violations.push({ value, message: `first must be between 1 and ${max}, got ${value}` });
      }
    },
  });
  return violations;
}

/** Refuses a page larger than `max` at the gateway, before any subgraph is asked. */
export function pageSizePlugin(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const [violation] = pageSizeViolations(document, request.variables ?? {}, max);
          if (violation) {
            throw new GraphQLError(violation.message, {
              extensions: { code: 'BAD_USER_INPUT', field: 'first', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
