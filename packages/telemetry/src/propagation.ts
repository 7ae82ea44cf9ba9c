import type { TextMapPropagator } from '@opentelemetry/api';

/** Trace context from callers is ignored (see `continueIncomingTraces`); the process's own still goes out. */
export function injectOnly(propagator: TextMapPropagator): TextMapPropagator {
  return {
    inject: (context, carrier, setter) => propagator.inject(context, carrier, setter),
    extract: (context) => context,
    fields: () => propagator.fields(),
  };
}
