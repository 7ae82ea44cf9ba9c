import type { IncomingMessage } from 'node:http';
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

/**
 * The libraries traced automatically. Timers (the relay's poll, readiness checks, the
 * NOTIFY listener) would each start a trace of their own every second, so SQL and outgoing
 * calls are traced only inside a span that is already there: a request, a publish, a consume.
 * No values: neither SQL parameters nor GraphQL variables reach a span.
 */
export function potluckInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe, requireParentforOutgoingSpans: true }),
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
