import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Attributes, Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PrismaInstrumentation } from '@prisma/instrumentation';

/** Orchestrators' probes and Prometheus scrapes: every few seconds, never worth a trace. */
function isProbe(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url === '/metrics' || url.startsWith('/health/');
}

/** Where the HTTP instrumentation records an incoming request's query string, in either semantic-conventions version. */
const QUERY_BEARING = ['url.query', 'url.full', 'http.target', 'http.url'];

/**
 * A GET /graphql carries its variables in the query string: keep it out of the server span,
 * as the request log does (only the path is recorded).
 */
function dropQueryString(span: Span, request: IncomingMessage | ClientRequest): void {
  if (!('url' in request) || !request.url?.includes('?')) return;
  const recorded = (span as { attributes?: Attributes }).attributes ?? {};
  for (const name of QUERY_BEARING) {
    const value = recorded[name];
    if (typeof value === 'string') span.setAttribute(name, name === 'url.query' ? '' : value.replace(/\?.*$/s, ''));
  }
}

/**
 * The libraries traced automatically. Timers (the relay's poll, readiness checks, the
 * NOTIFY listener) would each start a trace of their own every second, so SQL and outgoing
 * calls are traced only inside a span that is already there: a request, a publish, a consume.
 * No values: neither SQL parameters nor GraphQL variables (in a body or a GET's query
 * string) reach a span.
 */
export function potluckInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: isProbe,
      requireParentforOutgoingSpans: true,
      requestHook: dropQueryString,
    }),
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // No resolver spans: even limited to root fields (`depth: 1`), the instrumentation wraps
    // every field's resolver (path, string joins, a context switch per field); a page of
    // recipes with comments cost the subgraphs up to four times the CPU (bench/README.md).
    // The operation's span holds its SQL.
    new GraphQLInstrumentation({ ignoreResolveSpans: true }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new PrismaInstrumentation(),
  ];
}
