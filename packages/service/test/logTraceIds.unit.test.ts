import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { recordSpansInMemory, type SpansInMemory } from '@potluck/telemetry/testing';
import { createLogger } from '../src/index.js';

/** The logger as a service creates it, writing its lines here instead of stdout. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('recipes', 'info', destination), lines };
}

let tracing: SpansInMemory | undefined;

afterEach(async () => {
  await tracing?.stop();
  tracing = undefined;
});

describe('log lines and traces', () => {
  it('carry trace_id and span_id of the span active when they are written, in any service', async () => {
    tracing = recordSpansInMemory(new AlwaysOnSampler());
    const { logger, lines } = capturedLogger();
    await trace.getTracer('test').startActiveSpan('request', async (active) => {
      await Promise.resolve();
      logger.info({ requestId: 'r-1' }, 'request completed');
      active.end();
    });
    const [active] = tracing.spans();
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        requestId: 'r-1',
        service: 'recipes',
        trace_id: active!.spanContext().traceId,
        span_id: active!.spanContext().spanId,
      }),
    ]);
  });

  it('are unchanged outside a span, and in a trace that is not recorded', () => {
    tracing = recordSpansInMemory(new AlwaysOffSampler());
    const { logger, lines } = capturedLogger();
    logger.info({ requestId: 'r-2' }, 'outside');
    trace.getTracer('test').startActiveSpan('unsampled', (span) => {
      logger.info('inside an unsampled trace');
      span.end();
    });
    expect(lines.map((line) => Object.keys(line).sort())).toEqual([
      ['level', 'msg', 'name', 'requestId', 'service', 'time'],
      ['level', 'msg', 'name', 'service', 'time'],
    ]);
  });

  it('are unchanged when tracing is off (no SDK registered)', () => {
    const { logger, lines } = capturedLogger();
    trace.getTracer('test').startActiveSpan('no sdk', (span) => {
      logger.info('hello');
      span.end();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});
