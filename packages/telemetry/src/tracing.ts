import { loadTelemetryConfig, TelemetryConfigError, type Env, type TelemetryConfig } from './config.js';

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
  // The SDK, its exporters and instrumentations weigh about 40 MiB of memory and most of a
  // second of start-up: loaded only when spans are exported.
  const sdk =
    tracesUrl === undefined ? undefined : await (await import('./sdk.js')).startSdk({ ...config, tracesUrl }, options);
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= sdk ? sdk.shutdown() : Promise.resolve();
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
