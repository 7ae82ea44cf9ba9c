export {
  loadTelemetryConfig,
  SAMPLERS,
  TelemetryConfigError,
  telemetryEnvSchema,
  type SamplerName,
  type TelemetryConfig,
} from './config.js';
export { injectOnly } from './propagation.js';
export { startTracing, type Tracing, type TracingOptions } from './tracing.js';
