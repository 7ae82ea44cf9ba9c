import { isSpanContextValid, SpanKind, trace, type Context } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from './config.js';

/**
 * The sampler `OTEL_TRACES_SAMPLER` names. The parent-based ones follow the sampled flag of
 * the context a span continues: a request the gateway sampled is sampled in every service
 * and across the broker, so traces are whole or absent.
 */
export function samplerOf({ sampler, samplerRatio }: Pick<TelemetryConfig, 'sampler' | 'samplerRatio'>): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatio) });
  }
}

/** The kinds of span that may start a trace: a request arriving, an event published or consumed. */
const ENTRY_POINTS: ReadonlySet<SpanKind> = new Set([SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER]);

/**
 * Drops any other span that would start a trace of its own: Apollo parsing schemas at
 * start, Prisma answering a readiness probe, the relay's poll. They are housekeeping, and
 * would otherwise be most of the traces a quiet service exports. Everything inside a
 * request, a publish or a consume is left to `sampler`.
 */
export function entryPointsOnly(sampler: Sampler): Sampler {
  return {
    shouldSample(context: Context, traceId, name, kind, attributes, links) {
      const parent = trace.getSpanContext(context);
      const hasParent = parent !== undefined && isSpanContextValid(parent);
      if (!hasParent && !ENTRY_POINTS.has(kind)) return { decision: SamplingDecision.NOT_RECORD };
      return sampler.shouldSample(context, traceId, name, kind, attributes, links);
    },
    toString: () => `EntryPointsOnly{${sampler.toString()}}`,
  };
}
