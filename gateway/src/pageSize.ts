import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import { argumentReader } from './argumentValues.js';

/**
 * Every `first` argument the document asks for, literal or from a variable (or its
 * default), that is not a whole number from 1 to `max`.
 */
export function pageSizeViolations(
  document: DocumentNode,
  variables: Record<string, unknown>,
  max: number,
): Array<{ value: unknown; message: string }> {
  const valueOf = argumentReader(document, variables);
  const violations: Array<{ value: unknown; message: string }> = [];
  visit(document, {
    Argument(argument) {
      if (argument.name.value !== 'first') return;
      const value = valueOf(argument.value);
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
