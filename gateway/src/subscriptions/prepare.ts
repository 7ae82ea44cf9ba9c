import { createHash } from 'node:crypto';
import { BadUserInputError, costRefusal, DomainError, pageSizeViolations, RequestRefusedError } from '@potluck/service';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isObjectType,
  OperationTypeNode,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import { getArgumentValues } from 'graphql/execution/values.js';
import { decodeCursor, type StreamPosition } from './cursor.js';
import { entityQueryFor, usedBy, type EntityQuery } from './entityQuery.js';
import { SUBSCRIPTION_FIELDS, type EventFilter } from './subscriptionFields.js';
import { selectsOnlyViewerIndependent } from './viewerIndependence.js';

/** The limits every operation gets, subscriptions included (see `queryLimits`). */
export interface SubscriptionLimits {
  validationRules: readonly ValidationRule[];
  costRules: readonly ValidationRule[];
  maxPageSize: number;
}

export interface SubscriptionRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** A subscription checked and ready to run: what it filters on, where it starts, how its payload resolves. */
export interface PreparedSubscription {
  filter: EventFilter;
  after: StreamPosition | undefined;
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  entityQuery: EntityQuery;
  /** The root field's response key (its alias, or its name). */
  rootKey: string;
  /** Equal for subscribers whose payloads are equal for the same event and viewer: they share one resolution. */
  payloadKey: string;
  /**
   * Whether every field the entity query selects is declared viewer-independent
   * (`viewerIndependence.ts`): then one resolution serves every viewer.
   */
  sharedAcrossViewers: boolean;
}

const refused = (errors: readonly GraphQLError[], code = 'GRAPHQL_VALIDATION_FAILED'): never => {
  throw new SubscriptionRefused(errors.map((error) => withCode(error, code)));
};

/** An error with `code` unless it has one (or a domain error that brings its own): what the formatter keeps. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code || error.originalError instanceof DomainError) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}

/** A subscription refused before it starts, with every reason (validation, limits, arguments). */
export class SubscriptionRefused extends Error {
  override name = 'SubscriptionRefused';
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((error) => error.message).join('; '));
  }
}

const asGraphQLError = (error: Error) => new GraphQLError(error.message, { originalError: error });

function checkLimits(schema: GraphQLSchema, request: SubscriptionRequest, limits: SubscriptionLimits) {
  const errors = validate(schema, request.document, [...specifiedRules, ...limits.validationRules]);
  if (errors.length > 0) refused(errors);
  const operation = getOperationAST(request.document, request.operationName ?? undefined);
  if (!operation) refused([new GraphQLError('Must provide one operation, or the operationName of one.')]);
  if (operation!.operation !== OperationTypeNode.SUBSCRIPTION) {
    refused([
      asGraphQLError(
        new RequestRefusedError(
          'NOT_A_SUBSCRIPTION',
          'Only subscriptions are served here; send queries and mutations as a POST to /graphql',
        ),
      ),
    ]);
  }
  const variables = request.variables ?? {};
  const [violation] = pageSizeViolations(request.document, operation!, variables, limits.maxPageSize);
  if (violation) refused([asGraphQLError(new BadUserInputError(violation.message, 'first'))]);
  const cost = costRefusal({ schema, document: request.document, operation: operation!, variables }, [
    ...limits.costRules,
  ]);
  if (cost) refused([cost]);
  return operation!;
}

/**
 * Checks a subscription the way a query is checked (the schema, depth, aliases, directives,
 * page sizes and cost), reads its arguments (`after` as a cursor) and derives the query that
 * resolves its payload. Throws `SubscriptionRefused` with coded errors.
 */
export function prepareSubscription(
  schema: GraphQLSchema,
  request: SubscriptionRequest,
  limits: SubscriptionLimits,
): PreparedSubscription {
  const operation = checkLimits(schema, request, limits);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (coerced.errors) refused(coerced.errors, 'BAD_USER_INPUT');
  const variableValues = coerced.coerced!;
  const fragments = Object.fromEntries(
    request.document.definitions.flatMap((definition) =>
      definition.kind === 'FragmentDefinition' ? [[definition.name.value, definition]] : [],
    ),
  );
  const subscriptionType = schema.getSubscriptionType()!;
  const [[, rootNodes] = []] = collectFields(
    schema,
    fragments,
    variableValues,
    subscriptionType,
    operation.selectionSet,
  );
  const rootNode = rootNodes?.[0];
  const field = rootNode && SUBSCRIPTION_FIELDS.get(rootNode.name.value);
  const fieldDefinition = rootNode && subscriptionType.getFields()[rootNode.name.value];
  if (!rootNode || !field || !fieldDefinition)
    refused([new GraphQLError('This gateway serves no such subscription field.')]);
  const args = getArgumentValues(fieldDefinition!, rootNode!, variableValues);
  const payloadType = schema.getType(field!.payloadType);
  if (!isObjectType(payloadType)) refused([new GraphQLError(`The schema has no ${field!.payloadType} type.`)]);
  let after: StreamPosition | undefined;
  try {
    after = typeof args.after === 'string' ? decodeCursor(args.after) : undefined;
  } catch (error) {
    refused([asGraphQLError(error as Error)]);
  }
  const selected = collectSubfields(schema, fragments, variableValues, payloadType as never, rootNodes!);
  const entityQuery = entityQueryFor({
    entityField: field!.entityField,
    selected,
    document: request.document,
    variableDefinitions: operation.variableDefinitions ?? [],
    variables: request.variables ?? {},
  });
  const operationName = request.operationName ?? undefined;
  // What the payload depends on: the document and the variables its selection uses (not `after`, not the key).
  const { variableNames } = usedBy([rootNode!.selectionSet!], new Map(Object.entries(fragments)));
  const payloadVariables = Object.entries(request.variables ?? {}).filter(([name]) => variableNames.has(name));
  return {
    filter: { field: field!, key: String(args[field!.keyArgument]) },
    after,
    schema,
    document: request.document,
    operationName,
    variables: request.variables ?? {},
    entityQuery,
    rootKey: rootNode!.alias?.value ?? rootNode!.name.value,
    payloadKey: createHash('sha256')
      .update(JSON.stringify([print(request.document), operationName ?? null, payloadVariables]))
      .digest('base64url'),
    sharedAcrossViewers: selectsOnlyViewerIndependent(schema, entityQuery.document),
  };
}
