import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import { compilableDocument, type CompilableDocument } from './compilableDocument.js';

const INTERPRETED = { interpreted: true } as const;

/** How one operation of a parsed document runs: compiled, with its string literals as variables, or by graphql-js. */
type CompiledPlan = { compiled: CompiledQuery; strings: Record<string, string>; fields: number };
type Plan = CompiledPlan | typeof INTERPRETED;

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

/** Compiled plans kept at once, the least recently used dropped first. */
export const MAX_COMPILED_PLANS = 128;

/**
 * Fields of all the compiled plans kept at once, the least recently used dropped first: a plan
 * keeps 1–5 KB per field (a 300-field document of 63-character aliases kept 1.1–1.4 MB), so at
 * most some 70 MB in all. A page's fetches merged 2 to 16 times are some 1,500 fields.
 */
export const MAX_COMPILED_FIELDS_KEPT = 16_000;

/**
 * Compiling allowed per second, in milliseconds of the event loop: past it a document runs on
 * graphql-js and is compiled on a later arrival. Planned fetches compile in a few milliseconds
 * each, once; a client sending new documents as fast as it can gets a tenth of a core of them.
 */
export const COMPILE_MS_PER_SECOND = 100;

/**
 * What each parsed document runs as. A document is compiled the second time it arrives, so one
 * sent once costs no compiling, and within `compileMsPerSecond`; at most `MAX_COMPILED_PLANS`
 * compiled plans of `MAX_COMPILED_FIELDS_KEPT` fields in all are kept, and one dropped runs on
 * graphql-js from then on, so rotating more
 * documents than are kept cannot make every request compile. The decision to interpret, and a
 * document's prepared form, are kept with the document itself, which Apollo Server holds in its
 * bounded document store.
 */
export function documentPlans(schema: GraphQLSchema, logger: Logger, compileMsPerSecond = COMPILE_MS_PER_SECOND) {
  const compiled = new Map<DocumentNode, CompiledPlan>();
  const decided = new WeakMap<DocumentNode, CompilableDocument | typeof INTERPRETED>();
  const budget = { second: 0, spentMs: 0 };
  let fieldsKept = 0;

  function withinBudget(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== budget.second) Object.assign(budget, { second, spentMs: 0 });
    return budget.spentMs < compileMsPerSecond;
  }

  function keep(document: DocumentNode, plan: CompiledPlan) {
    compiled.set(document, plan);
    fieldsKept += plan.fields;
    while (compiled.size > MAX_COMPILED_PLANS || fieldsKept > MAX_COMPILED_FIELDS_KEPT) {
      const [evicted, evictedPlan] = compiled.entries().next().value!;
      compiled.delete(evicted);
      fieldsKept -= evictedPlan.fields;
      decided.set(evicted, INTERPRETED);
    }
  }

  function compile(document: DocumentNode, prepared: CompilableDocument, operationName: string | undefined): Plan {
    const started = performance.now();
    if (!withinBudget(started)) return INTERPRETED;
    const query = compileQuery(schema, prepared.document, operationName);
    budget.spentMs += performance.now() - started;
    if (!isCompiledQuery(query)) {
      logger.debug({ operationName, reason: query.errors?.[0]?.message }, 'operation runs on graphql-js');
      decided.set(document, INTERPRETED);
      return INTERPRETED;
    }
    const plan = { compiled: query, strings: prepared.strings, fields: prepared.fields };
    keep(document, plan);
    return plan;
  }

  return function planFor(document: DocumentNode, operationName: string | undefined): Plan {
    const plan = compiled.get(document);
    if (plan) {
      compiled.delete(document);
      compiled.set(document, plan);
      return plan;
    }
    const decision = decided.get(document);
    if (decision) return 'interpreted' in decision ? INTERPRETED : compile(document, decision, operationName);
    const prepared = compilableDocument(schema, document);
    if ('reason' in prepared) {
      logger.debug({ operationName, reason: prepared.reason }, 'operation runs on graphql-js');
      decided.set(document, INTERPRETED);
    } else {
      decided.set(document, prepared);
    }
    return INTERPRETED;
  };
}

/** Counts each operation by how it ran, when the service has metrics. */
export function compiledExecutionMetrics(registry: Registry | undefined) {
  if (!registry) return { compiled: () => {}, interpreted: () => {} };
  const counter = new Counter({
    name: 'potluck_subgraph_operations_executed_total',
    help: 'Operations executed, by how: compiled by graphql-jit, or interpreted by graphql-js (a document the first time, one not safe to compile, or past the compile budget)',
    labelNames: ['execution'],
    registers: [registry],
  });
  const compiled = counter.labels('compiled');
  const interpreted = counter.labels('interpreted');
  return { compiled: () => compiled.inc(), interpreted: () => interpreted.inc() };
}

/**
 * Runs each operation as a function graphql-jit compiled from it, instead of graphql-js'
 * `execute` walking the document for every object of every answer (7–8 % of the
 * subgraphs' CPU on distinct pages; bench/README.md item 18). Only documents
 * `compilableDocument` accepts are compiled, with their string literals moved into variables;
 * the rest run on graphql-js as before (logged at debug, once per document, with the reason).
 * Apollo Server takes a custom executor only through its `gateway` option, so this is a
 * "gateway" of one fixed schema. Parsing, validation, the limits and every plugin hook but the
 * per-field ones run as before.
 */
export function compiledExecution(schema: GraphQLSchema, logger: Logger, registry?: Registry): GatewayInterface {
  const planFor = documentPlans(schema, logger);
  const executed = compiledExecutionMetrics(registry);

  const executor: GatewayExecutor = async ({ document, operation, request, context }) => {
    const variableValues = request.variables ?? {};
    const interpreted = () => {
      executed.interpreted();
      return execute({ schema, document, operationName: request.operationName, variableValues, contextValue: context });
    };
    // Apollo Server calls the executor before it reports an operation name the document lacks.
    if (!operation) return interpreted();
    const plan = planFor(document, request.operationName);
    if ('interpreted' in plan) return interpreted();
    // No prototype: graphql-jit reads a variable left out as `input[name]`, and `$toString` would find a function.
    const variables = Object.assign(Object.create(null) as Record<string, unknown>, variableValues, plan.strings);
    executed.compiled();
    return inExecuteSpan(operation, async () =>
      withGraphQLErrors(await plan.compiled.query(undefined, context, variables)),
    );
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}
