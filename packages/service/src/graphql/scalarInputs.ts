import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  typeFromAST,
  type ASTVisitor,
  type GraphQLInputType,
  type GraphQLScalarType,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { BadUserInputError } from './errors.js';
import { DateTimeScalar, DecimalScalar } from './scalars.js';

/** The custom scalars whose rules the gateway applies itself, by name. */
export const POTLUCK_SCALARS: ReadonlyMap<string, GraphQLScalarType> = new Map(
  [DateTimeScalar, DecimalScalar].map((scalar) => [scalar.name, scalar]),
);

function refusal(path: string, error: unknown): BadUserInputError {
  const reason = error instanceof Error ? error.message : String(error);
  return new BadUserInputError(`${path}: ${reason}`, path);
}

/**
 * Refuses a literal that a custom scalar would refuse (`maxPrice: "abc"`), naming the argument
 * and input field. A gateway's supergraph knows these scalars by name only and would pass any
 * value on, to be refused by the subgraph as its own validation failure.
 */
export function scalarLiteralsRule(scalars = POTLUCK_SCALARS) {
  return (context: ValidationContext): ASTVisitor => {
    const path: string[] = [];
    const check = (node: ValueNode) => {
      const type = getNullableType(context.getInputType());
      const scalar = type && !isListType(type) ? scalars.get(type.name) : undefined;
      if (!scalar) return;
      try {
        scalar.parseLiteral(node);
      } catch (error) {
        const original = refusal(path.join('.'), error);
        context.reportError(new GraphQLError(original.message, { nodes: node, originalError: original }));
      }
    };
    return {
      Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
      ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
      StringValue: check,
      IntValue: check,
      FloatValue: check,
      BooleanValue: check,
      EnumValue: check,
      ListValue: check,
      ObjectValue: check,
    };
  };
}

/** The first value inside `value` that a custom scalar refuses, as a refusal naming where it is. */
function scalarRefusal(
  type: GraphQLInputType,
  value: unknown,
  path: string,
  scalars: ReadonlyMap<string, GraphQLScalarType>,
): BadUserInputError | undefined {
  if (value === null || value === undefined) return undefined;
  if (isNonNullType(type)) return scalarRefusal(type.ofType, value, path, scalars);
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    for (const [index, item] of items.entries()) {
      const found = scalarRefusal(type.ofType, item, `${path}[${index}]`, scalars);
      if (found) return found;
    }
    return undefined;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object') return undefined; // graphql-js refuses the shape itself
    for (const [name, field] of Object.entries(type.getFields())) {
      const found = scalarRefusal(field.type, (value as Record<string, unknown>)[name], `${path}.${name}`, scalars);
      if (found) return found;
    }
    return undefined;
  }
  const scalar = scalars.get(type.name);
  try {
    scalar?.parseValue(value);
    return undefined;
  } catch (error) {
    return refusal(path, error);
  }
}

/** Refuses a variable that a custom scalar would refuse (a `Decimal!` sent as "12,50"), naming it. */
export function scalarVariablesPlugin(scalars = POTLUCK_SCALARS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, request }) {
          for (const definition of operation?.variableDefinitions ?? []) {
            const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
            const name = definition.variable.name.value;
            const found = type && scalarRefusal(type, request.variables?.[name], `$${name}`, scalars);
            if (found) {
              throw new GraphQLError(found.message, { originalError: found, extensions: { http: { status: 400 } } });
            }
          }
        },
      };
    },
  };
}
