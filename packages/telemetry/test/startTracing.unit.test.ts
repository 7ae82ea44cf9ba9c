import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTracing } from '../src/index.js';

describe('startTracing without an endpoint', () => {
  it('starts nothing: spans stay no-ops and nothing is exported', async () => {
    const tracing = await startTracing(
      { OTEL_SERVICE_NAME: 'recipes' },
      { serviceName: 'recipes', continueIncomingTraces: true },
    );
    expect(tracing.exporting).toBe(false);
    const span = trace.getTracer('test').startSpan('request');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it('still hands runService a service whose stop stops it', async () => {
    const tracing = await startTracing({}, { serviceName: 'gateway', continueIncomingTraces: false });
    const stopped: string[] = [];
    const start = tracing.stoppedWith(async (config: { name: string }) => ({
      name: config.name,
      stop: async () => void stopped.push(config.name),
    }));
    const service = await start({ name: 'gateway' });
    await service.stop();
    expect(stopped).toEqual(['gateway']);
  });
});
