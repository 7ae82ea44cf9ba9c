import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Kind, type DocumentNode } from 'graphql';
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

/** Health probes and scrapes, by the path as it arrived (not under `/graphql`, where it runs a query). */
const isHealthProbe = (path: string) => path === '/metrics' || path.startsWith('/health/');

/** What the readiness route leaves on `res.locals` when it answers 200 with a dependency down. */
export const DEGRADED_LOCAL = 'readinessDegraded';

const answeredDegraded = (res: ServerResponse) =>
  (res as ServerResponse & { locals?: Record<string, unknown> }).locals?.[DEGRADED_LOCAL] === true;

/**
 * Health probes and metrics scrapes arrive every few seconds from orchestrators: a passing
 * one is logged at debug, a failing or degraded one at warn (its body names the dependency;
 * it is not this request's fault). A request shed as busy is logged at warn: designed
 * behaviour under load, not a failure to look into one by one.
 */
function levelOf(path: string, res: ServerResponse, facts: RequestFacts, error: Error | undefined) {
  if (isHealthProbe(path) && !error) return res.statusCode < 400 && !answeredDegraded(res) ? 'debug' : 'warn';
  if (!error && facts.shed) return 'warn';
  if (error || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

function messageOf(path: string, res: ServerResponse, facts: RequestFacts, error: Error | undefined): string {
  if (!error && facts.shed) return 'request shed';
  if (error || (res.statusCode >= 500 && !isHealthProbe(path))) return 'request errored';
  return res.writableFinished ? 'request completed' : 'request aborted';
}

/** The path only: a GET /graphql carries the query and its variables in the query string. */
const pathOf = (url = '') => {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
};

/**
 * One JSON line per HTTP request, when its response has finished, or its connection closed
 * before that ("request aborted": the client left, or the server ended a stream): request id,
 * method, path, status, duration, and for GraphQL the operation name and the errors' codes and
 * messages. Assigns the request id first (see `assignRequestId`). Headers are not logged:
 * they carry credentials.
 *
 * Written here rather than with pino-http, which for every request made three child loggers
 * and built pino's whole request object (query, params, headers, remote address) only for two
 * of its fields to be kept: about 5 % of the subgraphs' CPU per page (bench/README item 13).
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = assignRequestId(req, res);
    const started = performance.now();
    // As it arrived: a router mounted at a path shortens req.url while its handlers run.
    const request = { method: req.method, url: pathOf(req.url) };
    const written = (error?: Error) => {
      res.off('finish', written);
      res.off('close', written);
      res.off('error', written);
      const facts = requestFacts(req);
      const level = levelOf(request.url, res, facts, error);
      if (!logger.isLevelEnabled(level)) return;
      const { operationName, errors, sharedCallsOf } = facts;
      logger[level](
        {
          requestId,
          req: request,
          ...(operationName && { operationName }),
          ...(errors && { errors }),
          ...(sharedCallsOf && { sharedCallsOf }),
          ...(res.headersSent && { res: { statusCode: res.statusCode } }),
          ...(error && { err: error }),
          durationMs: Math.round(performance.now() - started),
        },
        messageOf(request.url, res, facts, error),
      );
    };
    res.on('finish', written);
    res.on('close', written);
    res.on('error', written);
    next();
  };
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
