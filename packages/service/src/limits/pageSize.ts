import type { ApolloServerPlugin } from '@apollo/server';
import { BadUserInputError } from '../graphql/errors.js';
import { GraphQLError, visit, type DocumentNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { argumentReader } from './argumentValues.js';
import { oncePerNode } from './oncePerNode.js';

/** `first` as the connections accept it: a whole number from 1 to `max`. */
export function checkPageSize(first: number, max = 100): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new BadUserInputError(`first must be between 1 and ${max}, got ${first}`, 'first');
  }
  return first;
}

/** The value of every `first` argument in a document, found once per document. */
const firstArguments = oncePerNode((document: DocumentNode): readonly ValueNode[] => {
  const found: ValueNode[] = [];
  visit(document, {
    Argument(argument) {
      if (argument.name.value === 'first') found.push(argument.value);
    },
  });
  return found;
});

/**
 * Every `first` argument the document asks for, literal or from a variable (or its default
 * in the `operation` that runs), that breaks the subgraphs' own page-size rule
 * (`checkPageSize`) with `max`.
 */
export function pageSizeViolations(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  max: number,
): Array<{ value: unknown; message: string }> {
  const valueOf = argumentReader(operation, variables);
  const violations: Array<{ value: unknown; message: string }> = [];
  for (const node of firstArguments(document)) {
    const value = valueOf(node);
    if (typeof value !== 'number') continue;
    try {
      checkPageSize(value, max);
    } catch (error) {
      violations.push({ value, message: (error as Error).message });
    }
  }
  return violations;
}

/** Refuses a page larger than `max` at the gateway, before any subgraph is asked. */
export function pageSizePlugin(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return; // refused before this, as an unknown operation
          const [violation] = pageSizeViolations(document, operation, request.variables ?? {}, max);
          if (violation) {
            // The error formatter gives it its code and field, like the subgraphs' own refusal.
            throw new GraphQLError(violation.message, {
              originalError: new BadUserInputError(violation.message, 'first'),
              extensions: { http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
