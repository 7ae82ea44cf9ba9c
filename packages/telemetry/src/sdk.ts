import { register } from 'node:module';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { TelemetryConfig } from './config.js';
import { potluckInstrumentations } from './instrumentations.js';
import { entryPointsOnly, samplerOf } from './sampler.js';
import { injectOnly } from './propagation.js';
import type { TracingOptions } from './tracing.js';

/** The longest a stopping service waits for its last spans to leave: a collector that is down must not hold up the exit. */
export const FLUSH_BOUND_MS = 3000;

function exporterOf(config: TelemetryConfig & { tracesUrl: string }): SpanExporter {
  const options = { url: config.tracesUrl, headers: { ...config.headers } };
  return config.protocol === 'http/json' ? new JsonTraceExporter(options) : new ProtobufTraceExporter(options);
}

/**
 * Potluck is ESM (TypeScript through tsx) and imports CommonJS packages such as express:
 * Node loads those through its ESM loader, which require-in-the-middle never sees. The
 * import-in-the-middle loader hook wraps them for the instrumentations, and only the modules
 * an instrumentation asked for (the message channel tells it which), so the rest load untouched.
 */
export async function startSdk(
  config: TelemetryConfig & { tracesUrl: string },
  options: TracingOptions,
): Promise<{ shutdown(): Promise<void> }> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const propagator = new W3CTraceContextPropagator();
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.serviceName }),
    ),
    autoDetectResources: false,
    sampler: entryPointsOnly(samplerOf(config)),
    spanLimits: { attributeValueLengthLimit: config.attributeValueLengthLimit },
    spanProcessors: [
      new BatchSpanProcessor({ exporter: exporterOf(config), scheduledDelayMillis: config.scheduleDelayMs }),
    ],
    textMapPropagator: options.continueIncomingTraces ? propagator : injectOnly(propagator),
    instrumentations: potluckInstrumentations(),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return { shutdown: () => boundedShutdown(sdk) };
}

async function boundedShutdown(sdk: NodeSDK): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_BOUND_MS);
  });
  try {
    await Promise.race([sdk.shutdown().catch(() => undefined), bound]);
  } finally {
    clearTimeout(timer);
  }
}
