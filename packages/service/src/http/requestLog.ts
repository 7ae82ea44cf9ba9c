import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Kind, type DocumentNode } from 'graphql';
import { pinoHttp } from 'pino-http';
import { shortened } from '../graphql/echo.js';
import type { Logger } from '../logger.js';
import { assignRequestId, requestIdOf } from './requestId.js';
import { currentRequest, runInRequestScope, type RequestFacts } from './requestScope.js';

const factsByRequest = new WeakMap<IncomingMessage, RequestFacts>();

/** The facts of one HTTP request (created on first use): what its log line and its metrics report. */
export function requestFacts(req: IncomingMessage): RequestFacts {
  let facts = factsByRequest.get(req);
  if (!facts) {
    facts = { requestId: requestIdOf(req) };
    factsByRequest.set(req, facts);
  }
  return facts;
}

const isHealthProbe = (req: IncomingMessage) => req.url === '/metrics' || (req.url?.startsWith('/health/') ?? false);

/** What the readiness route leaves on `res.locals` when it answers 200 with a dependency down. */
export const DEGRADED_LOCAL = 'readinessDegraded';

const answeredDegraded = (res: ServerResponse) =>
  (res as ServerResponse & { locals?: Record<string, unknown> }).locals?.[DEGRADED_LOCAL] === true;

/**
 * Health probes and metrics scrapes arrive every few seconds from orchestrators: a passing
 * one is logged at debug, a failing or degraded one at warn (its body names the dependency;
 * it is not this request's fault).
 */
function levelOf(req: IncomingMessage, res: ServerResponse, error?: Error) {
  if (isHealthProbe(req) && !error) return res.statusCode < 400 && !answeredDegraded(res) ? 'debug' : 'warn';
  if (error || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

/**
 * One JSON line per HTTP request (pino-http): request id, method, path, status, duration,
 * and for GraphQL the operation name and the errors' codes and messages. Assigns the
 * request id first (see `assignRequestId`). Headers are not logged: they carry credentials.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req, res) => assignRequestId(req, res),
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    customLogLevel: levelOf,
    serializers: {
      // The path only: a GET /graphql carries the query and its variables in the query string.
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/\?.*$/s, '') }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // A 503 from a health probe is an answer, not a failure: no invented error with a stack.
    customErrorMessage: (req, res) => (isHealthProbe(req) && !res.err ? 'request completed' : 'request errored'),
    customErrorObject: (req, res, _error, line: Record<string, unknown>) => {
      if (!isHealthProbe(req) || res.err) return line;
      return Object.fromEntries(Object.entries(line).filter(([key]) => key !== 'err'));
    },
    customProps: (req) => {
      const { operationName, errors, sharedCallsOf } = requestFacts(req);
      return {
        ...(operationName && { operationName }),
        ...(errors && { errors }),
        ...(sharedCallsOf && { sharedCallsOf }),
      };
    },
    quietReqLogger: true,
  }) as unknown as RequestHandler;
}

/** Express middleware: the rest of this request runs in its request scope (see `currentRequest`). */
export const requestScope: RequestHandler = (req, _res, next) => runInRequestScope(requestFacts(req), next);

/** The name of a document's only operation, known even when validation refused it. */
function soleOperationName(document: DocumentNode | undefined): string | undefined {
  const operations = document?.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION) ?? [];
  return operations.length === 1 ? operations[0]?.name?.value : undefined;
}

/** Records the operation name and the errors sent, for the request's log line. */
export function requestFactsPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, request, response, document }) {
          const facts = currentRequest();
          if (!facts) return;
          const name = operationName ?? request.operationName ?? soleOperationName(document);
          if (name) facts.operationName = shortened(name);
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors?.length) {
            facts.errors = errors.map((error) => ({
              code: String(error.extensions?.code ?? 'UNKNOWN'),
              message: error.message,
            }));
          }
        },
      };
    },
  };
}
