import { identityKeyOf, type Viewer } from '@potluck/identity';
import {
  buildSchema,
  execute,
  printSchema,
  type GraphQLSchema,
  GraphQLError,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
} from 'graphql';
import { encodeCursor } from './cursor.js';
import type { FederatedExecute } from './federatedExecution.js';
import type { PreparedSubscription } from './prepare.js';
import type { EventEntry } from './streamReader.js';

/** A payload for one subscriber, or `gone`: the entity no longer exists, so there is nothing to deliver. */
export type Resolution = { kind: 'payload'; result: ExecutionResult } | { kind: 'gone' };

/** The payload's entity could not be fetched (a subgraph down or too slow): retried, then the subscription ends. */
export class PayloadUnavailable extends Error {
  override name = 'PayloadUnavailable';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Formats an error as the client sees it (the gateway's `formatError`: codes kept, internals masked). */
export type ErrorFormat = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

interface PayloadSource {
  cursor: string;
  entities: Record<string, unknown>;
}

const bareSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * The API schema without resolvers: Apollo Server wraps every field of the schema it serves
 * with its own instrumentation, which would ignore the payload resolver below.
 */
function bareSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let bare = bareSchemas.get(schema);
  if (!bare) {
    bare = buildSchema(printSchema(schema));
    bareSchemas.set(schema, bare);
  }
  return bare;
}

/** Reads the payload from what was fetched: the entity JSON is keyed by response keys, as the query asked. */
function payloadResolver(
  prepared: PreparedSubscription,
  schema: GraphQLSchema,
): GraphQLFieldResolver<unknown, unknown> {
  const { field } = prepared.filter;
  return (source, _args, _context, info) => {
    if (info.parentType === schema.getSubscriptionType()) return source;
    if (info.parentType.name === field.payloadType) {
      const payload = source as PayloadSource;
      if (info.fieldName === 'cursor') return payload.cursor;
      return info.fieldName === field.entityField ? payload.entities[info.path.key as string] : undefined;
    }
    return (source as Record<string, unknown> | null)?.[info.path.key as string];
  };
}

function withPathUnder(rootKey: string, error: GraphQLFormattedError): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.path && { path: [rootKey, ...error.path] }),
    extensions: error.extensions,
  });
}

const sizes = new WeakMap<ExecutionResult, number>();

/** About how many bytes a result takes on the wire; measured once, however many subscribers share it. */
export function sizeOf(result: ExecutionResult): number {
  let size = sizes.get(result);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(result));
    sizes.set(result, size);
  }
  return size;
}

/**
 * Resolves payloads: the entity by id through the gateway, then the subscriber's own selection
 * over it. Subscribers with the same `payloadKey` share one resolution per event, hence one
 * entity fetch: across viewers, fetched as the anonymous viewer (the least privileged), when
 * the selection is `sharedAcrossViewers`; otherwise per viewer, as that viewer.
 */
export function createPayloads(options: { execute: FederatedExecute; format: ErrorFormat }) {
  const inflight = new Map<string, Promise<Resolution>>();

  async function resolveOnce(prepared: PreparedSubscription, entry: EventEntry, viewer: Viewer): Promise<Resolution> {
    const { entityQuery, rootKey } = prepared;
    let entities: Record<string, unknown> = {};
    let errors: GraphQLError[] = [];
    if (entityQuery.responseKeys.length > 0) {
      const fetched = await options.execute(
        {
          document: entityQuery.document,
          source: entityQuery.source,
          variables: { ...entityQuery.variables, [entityQuery.idVariable]: entry.event.aggregateId },
        },
        { requestId: `event-${entry.event.id}`, viewer },
      );
      entities = (fetched.data ?? {}) as Record<string, unknown>;
      const formatted = (fetched.errors ?? []).map((error) => options.format(error.toJSON(), error));
      if (entityQuery.responseKeys.every((key) => entities[key] == null)) {
        const [first] = formatted;
        if (!first) return { kind: 'gone' };
        throw new PayloadUnavailable(first.message, String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
      }
      errors = formatted.map((error) => withPathUnder(rootKey, error));
    }
    const cursor = encodeCursor({ offset: entry.offset, eventId: entry.event.id });
    const schema = bareSchemaOf(prepared.schema);
    const assembled = await execute({
      schema,
      document: prepared.document,
      operationName: prepared.operationName,
      variableValues: prepared.variables,
      rootValue: { cursor, entities } satisfies PayloadSource,
      fieldResolver: payloadResolver(prepared, schema),
    });
    if (!assembled.data) return { kind: 'gone' };
    const allErrors = errors.length > 0 ? errors : (assembled.errors ?? []);
    return { kind: 'payload', result: { data: assembled.data, ...(allErrors.length > 0 && { errors: allErrors }) } };
  }

  return (prepared: PreparedSubscription, entry: EventEntry, subscriber: Viewer): Promise<Resolution> => {
    const viewer = prepared.sharedAcrossViewers ? null : subscriber;
    const key = `${entry.offset}\n${prepared.payloadKey}\n${identityKeyOf(viewer)}`;
    let shared = inflight.get(key);
    if (!shared) {
      shared = resolveOnce(prepared, entry, viewer).finally(() => inflight.delete(key));
      inflight.set(key, shared);
    }
    return shared;
  };
}

export type Payloads = ReturnType<typeof createPayloads>;
