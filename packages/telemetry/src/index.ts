export {
  loadTelemetryConfig,
  SAMPLERS,
  TelemetryConfigError,
  telemetryEnvSchema,
  type SamplerName,
  type TelemetryConfig,
} from './config.js';
export { potluckInstrumentations } from './instrumentations.js';
export { recordSpansInMemory, type SpansInMemory } from './memory.js';
export { entryPointsOnly, samplerOf } from './sampler.js';
export { FLUSH_BOUND_MS, injectOnly, startTracing, type Tracing, type TracingOptions } from './tracing.js';
