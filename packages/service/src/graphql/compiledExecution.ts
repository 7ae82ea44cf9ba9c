import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Compiled = CompiledQuery | ExecutionResult;

const tracer = trace.getTracer('@potluck/service');

/**
 * The span graphql-js' execute has under the OpenTelemetry GraphQL instrumentation, which
 * patches `execute` and so never sees a compiled query: same name and attributes, so a trace
 * still shows the operation with the SQL it ran beneath it.
 */
function inExecuteSpan(operation: OperationDefinitionNode, run: () => Promise<ExecutionResult>) {
  const type = operation.operation;
  const name = operation.name?.value;
  const attributes = { 'graphql.operation.type': type, ...(name && { 'graphql.operation.name': name }) };
  return tracer.startActiveSpan(name ? `${type} ${name}` : type, { attributes }, async (span) => {
    try {
      const result = await run();
      if (result.errors?.length) span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * graphql-jit's errors carry `extensions` only when their cause had some, and Apollo Server
 * reads `extensions.code` of every error (a missing one made each a bare internal error):
 * each becomes graphql-js' own error, as `execute` would have returned it. Errors before any
 * data are the variables' (the operation was validated already), so they are the client's.
 */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const beforeExecution = result.data === undefined;
  const errors = result.errors.map((error) => {
    const extensions = error.extensions ?? (beforeExecution ? { code: 'BAD_USER_INPUT' } : {});
    const converted = new GraphQLError(error.message, {
      path: error.path,
      originalError: error.originalError ?? undefined,
      extensions,
    });
    return Object.assign(converted, { locations: error.locations });
  });
  return { ...result, errors };
}

/**
 * Runs each operation as a function graphql-jit compiled from it, instead of graphql-js'
 * `execute` walking the document for every object of every answer (a fifth of a subgraph's
 * CPU on a page of recipes with comments; bench/README.md). Apollo Server takes a custom
 * executor only through its `gateway` option, so this is a "gateway" of one fixed schema.
 * Parsing, validation, the limits and every plugin hook but the per-field ones run as before.
 *
 * A compiled query is kept with the parsed document it came from, which Apollo Server keeps
 * in its bounded document store: both are dropped together, so nothing here grows on its own.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiledByDocument = new WeakMap<DocumentNode, Map<string, Compiled>>();

  function compiledFor(document: DocumentNode, operationName: string | undefined): Compiled {
    let byOperation = compiledByDocument.get(document);
    if (!byOperation) compiledByDocument.set(document, (byOperation = new Map()));
    const key = operationName ?? '';
    let compiled = byOperation.get(key);
    if (!compiled) byOperation.set(key, (compiled = compileQuery(schema, document, operationName)));
    return compiled;
  }

  const executor: GatewayExecutor = ({ document, operation, request, context }) =>
    inExecuteSpan(operation, async () => {
      const compiled = compiledFor(document, request.operationName);
      if (!isCompiledQuery(compiled)) return withGraphQLErrors(compiled);
      return withGraphQLErrors(await compiled.query(undefined, context, request.variables ?? {}));
    });

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}
