import { register } from 'node:module';
import type { TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { loadTelemetryConfig, TelemetryConfigError, type Env, type TelemetryConfig } from './config.js';
import { potluckInstrumentations } from './instrumentations.js';
import { entryPointsOnly, samplerOf } from './sampler.js';

export interface TracingOptions {
  /** The default of `OTEL_SERVICE_NAME`. */
  serviceName: string;
  /**
   * Whether trace context arriving with a request is continued. The gateway, which the
   * internet reaches, says no: a caller's `traceparent` would choose the trace id and force
   * sampling on. It still sends its own context to the subgraphs.
   */
  continueIncomingTraces: boolean;
}

export interface Tracing {
  /** Whether spans are exported (an endpoint is set and the SDK is not disabled). */
  readonly exporting: boolean;
  /** Exports what is buffered (at most `FLUSH_BOUND_MS`) and stops; safe to call twice. */
  shutdown(): Promise<void>;
  /** `start` whose service, once stopped, also flushes and stops tracing (for `runService`). */
  stoppedWith<Config, Service extends { stop(): Promise<void> }>(
    start: (config: Config) => Promise<Service>,
  ): (config: Config) => Promise<Service>;
}

/** The longest a stopping service waits for its last spans to leave: a collector that is down must not hold up the exit. */
export const FLUSH_BOUND_MS = 3000;

/** Trace context from callers is ignored (see `continueIncomingTraces`); the process's own still goes out. */
export function injectOnly(propagator: TextMapPropagator): TextMapPropagator {
  return {
    inject: (context, carrier, setter) => propagator.inject(context, carrier, setter),
    extract: (context) => context,
    fields: () => propagator.fields(),
  };
}

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
async function startSdk(config: TelemetryConfig & { tracesUrl: string }, options: TracingOptions): Promise<NodeSDK> {
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
  return sdk;
}

/**
 * Starts OpenTelemetry tracing for this process from the standard `OTEL_*` variables
 * (`telemetryEnvSchema`), or does nothing when no OTLP endpoint is set. Call it before the
 * modules it instruments are imported (express, graphql, pg, Prisma): `main.ts` imports the
 * rest of the service dynamically after it. A bad variable is printed and exits 1, as a
 * service's own configuration does.
 */
export async function startTracing(env: Env, options: TracingOptions): Promise<Tracing> {
  let config: Readonly<TelemetryConfig>;
  try {
    config = loadTelemetryConfig(env, options.serviceName);
  } catch (error) {
    if (!(error instanceof TelemetryConfigError)) throw error;
    process.stderr.write(`failed to start: ${error.message}\n`);
    process.exit(1);
  }
  const { tracesUrl } = config;
  const sdk = tracesUrl === undefined ? undefined : await startSdk({ ...config, tracesUrl }, options);
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= sdk ? boundedShutdown(sdk) : Promise.resolve();
    return stopping;
  };
  return {
    exporting: sdk !== undefined,
    shutdown,
    stoppedWith: (start) => async (serviceConfig) => {
      const service = await start(serviceConfig);
      const stopService = service.stop.bind(service);
      return Object.assign(service, {
        async stop() {
          try {
            await stopService();
          } finally {
            await shutdown();
          }
        },
      });
    },
  };
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
