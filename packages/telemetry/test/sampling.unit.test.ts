import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { injectOnly, SAMPLERS } from '../src/index.js';
import { entryPointsOnly, samplerOf } from '../src/sampler.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const parentWith = (flags: TraceFlags): Context =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    traceFlags: flags,
    isRemote: true,
  });

function decide(sampler: ReturnType<typeof samplerOf>, parent: Context, kind: SpanKind): SamplingDecision {
  return sampler.shouldSample(parent, TRACE_ID, 'span', kind, {}, []).decision;
}

describe('sampling', () => {
  it('follows the parent’s sampled flag with the default sampler, and samples every new trace', () => {
    const sampler = samplerOf({ sampler: 'parentbased_always_on', samplerRatio: 1 });
    expect(decide(sampler, parentWith(TraceFlags.SAMPLED), SpanKind.CONSUMER)).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    expect(decide(sampler, parentWith(TraceFlags.NONE), SpanKind.CONSUMER)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler, ROOT_CONTEXT, SpanKind.SERVER)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('builds every sampler the configuration accepts, the ratio ones with their ratio', () => {
    for (const name of SAMPLERS) expect(samplerOf({ sampler: name, samplerRatio: 0.5 }).toString()).toBeTruthy();
    const none = samplerOf({ sampler: 'traceidratio', samplerRatio: 0 });
    expect(decide(none, ROOT_CONTEXT, SpanKind.SERVER)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('lets only requests and messages start a trace: housekeeping without a parent is dropped', () => {
    const sampler = entryPointsOnly(new AlwaysOnSampler());
    for (const kind of [SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
      expect(decide(sampler, ROOT_CONTEXT, kind)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
    for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT]) {
      expect(decide(sampler, ROOT_CONTEXT, kind)).toBe(SamplingDecision.NOT_RECORD);
      expect(decide(sampler, parentWith(TraceFlags.SAMPLED), kind)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    }
    expect(decide(entryPointsOnly(new AlwaysOffSampler()), ROOT_CONTEXT, SpanKind.SERVER)).toBe(
      SamplingDecision.NOT_RECORD,
    );
  });
});

describe('the gateway’s propagator', () => {
  const propagator = injectOnly(new W3CTraceContextPropagator());
  const getter = { keys: Object.keys, get: (carrier: Record<string, string>, key: string) => carrier[key] };

  it('ignores the trace context a caller sends, so a client picks neither trace id nor sampling', () => {
    const carrier = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` };
    const extracted = propagator.extract(ROOT_CONTEXT, carrier, getter);
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it('still sends its own context to the subgraphs', () => {
    const carrier: Record<string, string> = {};
    propagator.inject(parentWith(TraceFlags.SAMPLED), carrier, {
      set: (target, key, value) => void (target[key] = value),
    });
    expect(carrier).toEqual({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    expect(propagator.fields()).toEqual(['traceparent', 'tracestate']);
  });
});
