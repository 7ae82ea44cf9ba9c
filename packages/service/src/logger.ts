import { trace, TraceFlags } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The trace a line belongs to, when one is being recorded: `trace_id` and `span_id` lead
 * from a log line to its trace. Nothing when tracing is off or the trace was not sampled,
 * so every line without a trace stays as it was.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * Structured JSON logs, one object per line, tagged with the service name and, inside a
 * sampled trace, its ids (see `traceFields`). Lines go to stdout unless a test gives a `destination`.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
  };
  return destination ? pino(options, destination) : pino(options);
}
