import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { argumentReader, intVariableDefaults, variablePageSize } from './argumentValues.js';

/** The arguments graphql-armor's cost rule multiplies a list's cost by. */
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

const intArgument = (name: string, value: number): ArgumentNode => ({
  kind: Kind.ARGUMENT,
  name: { kind: Kind.NAME, value: name },
  value: { kind: Kind.INT, value: String(value) },
});

/** The field with the page sizes it leaves out written in at the schema's defaults (`first: 20`). */
function withDefaultPageSizes(field: FieldNode, typeInfo: TypeInfo): FieldNode | undefined {
  const given = new Set(field.arguments?.map((argument) => argument.name.value));
  const missing = (typeInfo.getFieldDef()?.args ?? []).filter(
    (argument) =>
      PAGE_SIZE_ARGUMENTS.has(argument.name) && !given.has(argument.name) && typeof argument.defaultValue === 'number',
  );
  if (missing.length === 0) return undefined;
  const defaults = missing.map((argument) => intArgument(argument.name, argument.defaultValue as number));
  return { ...field, arguments: [...(field.arguments ?? []), ...defaults] };
}

/**
 * The operation that runs, with its fragments, where every page size is the one this request
 * gets: a variable's value (or the variable's default), or the schema's default where the
 * argument is left out. graphql-armor's cost rule only multiplies by a literal page size, so
 * without this `first: $n` would cost as 1, and so would a page left at its default of 20.
 */
function withPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): DocumentNode {
  const runs: DocumentNode = {
    ...document,
    definitions: document.definitions.filter(
      (definition) => definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
    ),
  };
  const valueOf = argumentReader(operation, variables);
  const typeInfo = new TypeInfo(schema);
  return visit(
    runs,
    visitWithTypeInfo(typeInfo, {
      Field: (field) => withDefaultPageSizes(field, typeInfo),
      Argument(argument) {
        if (!PAGE_SIZE_ARGUMENTS.has(argument.name.value) || argument.value.kind !== Kind.VARIABLE) return undefined;
        // A variable neither sent nor defaulted leaves the argument at the schema's default.
        const value = valueOf(argument.value) ?? typeInfo.getArgument()?.defaultValue;
        return Number.isInteger(value) ? intArgument(argument.name.value, value as number) : undefined;
      },
    }),
  );
}

export interface CostedRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
}

/** The error `costRules` report for the operation with this request's page sizes, if it costs too much. */
export function costRefusal(request: CostedRequest, costRules: ValidationRule[]): GraphQLError | undefined {
  const [refusal] = validate(
    request.schema,
    withPageSizes(request.schema, request.document, request.operation, request.variables),
    costRules,
  );
  return refusal;
}

/** The variables a document passes as page sizes, with their defaults in the operation: the only ones that can change its cost. */
function pageSizeVariables(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Array<{ name: string; fallback: number | undefined }> {
  const names = new Set<string>();
  visit(document, {
    Argument(argument) {
      if (PAGE_SIZE_ARGUMENTS.has(argument.name.value) && argument.value.kind === Kind.VARIABLE) {
        names.add(argument.value.name.value);
      }
    },
  });
  const defaults = intVariableDefaults(operation);
  return [...names].map((name) => ({ name, fallback: defaults.get(name) }));
}

/** Distinct page-size combinations remembered per operation before its memo starts over. */
const MEMO_LIMIT = 256;

/**
 * `costRefusal`, remembered per operation (Apollo Server hands the same parsed document to
 * every request with the same query text) and per values of its page-size variables: costing
 * takes a fraction of a millisecond, which every request would otherwise pay.
 */
function memoizedCostRefusal(costRules: ValidationRule[]) {
  type Entry = { variables: ReturnType<typeof pageSizeVariables>; refusals: Map<string, GraphQLError | undefined> };
  const memo = new WeakMap<OperationDefinitionNode, Entry>();
  return (request: CostedRequest): GraphQLError | undefined => {
    let entry = memo.get(request.operation);
    if (!entry) {
      entry = { variables: pageSizeVariables(request.document, request.operation), refusals: new Map() };
      memo.set(request.operation, entry);
    }
    // The page sizes the cost is checked at, and nothing else a client sent (see `variablePageSize`).
    const key = JSON.stringify(
      entry.variables.map(({ name, fallback }) => variablePageSize(request.variables[name], fallback) ?? null),
    );
    if (entry.refusals.has(key)) return entry.refusals.get(key);
    const refusal = costRefusal(request, costRules);
    if (entry.refusals.size >= MEMO_LIMIT) entry.refusals.clear();
    entry.refusals.set(key, refusal);
    return refusal;
  };
}

/**
 * Applies the cost limit once the variables are known, before the query is planned. The
 * refusal is the rule's own error, answered with status 400 like a failed validation.
 */
export function costLimitPlugin(costRules: ValidationRule[]): ApolloServerPlugin {
  const refusalOf = memoizedCostRefusal(costRules);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return; // the gateway refuses a document without a matching operation before planning
          const refusal = refusalOf({ schema, document, operation, variables: request.variables ?? {} });
          if (refusal) {
            throw new GraphQLError(refusal.message, {
              originalError: refusal.originalError,
              extensions: { http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
