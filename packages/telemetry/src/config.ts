import { z } from 'zod';

export type Env = Record<string, string | undefined>;

export class TelemetryConfigError extends Error {
  override name = 'TelemetryConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** The samplers of the OpenTelemetry specification that need nothing but a ratio. */
export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type SamplerName = (typeof SAMPLERS)[number];

/** `key1=value1,key2=value2` with percent-encoded values, as the specification writes headers and resource attributes. */
const keyValueList = () =>
  z.string().transform((value, context) => {
    const pairs: Record<string, string> = {};
    for (const item of value.split(',').filter((part) => part.trim() !== '')) {
      const separator = item.indexOf('=');
      const key = item.slice(0, separator).trim();
      if (separator < 1 || key === '') {
        context.addIssue({ code: 'custom', message: 'must be a comma-separated list of key=value' });
        return z.NEVER;
      }
      try {
        pairs[key] = decodeURIComponent(item.slice(separator + 1).trim());
      } catch {
        context.addIssue({ code: 'custom', message: `the value of ${key} is not percent-encoded` });
        return z.NEVER;
      }
    }
    return pairs;
  });

const httpUrl = () =>
  z
    .string()
    .refine((value) => /^https?:$/.test(URL.parse(value)?.protocol ?? ''), 'must be an http:// or https:// URL');

/**
 * The standard OpenTelemetry variables the three services read
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
 * Tracing exports only when an endpoint is set; without one the SDK is not even started.
 */
export const telemetryEnvSchema = z.object({
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  OTEL_SERVICE_NAME: z.string().max(255).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/protobuf', 'http/json'], { message: 'must be http/protobuf or http/json (grpc is not supported)' })
    .default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList().optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(SAMPLERS, { message: `must be one of ${SAMPLERS.join(', ')}` })
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int('must be a whole number').min(1).max(60_000).default(5000),
  // The specification's default is no limit: one refused 900 KB query would then be a 900 KB
  // attribute (graphql.source), and a queue of such spans gigabytes.
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: z.coerce
    .number()
    .int('must be a whole number')
    .min(32)
    .max(1_048_576)
    .default(4096),
});

export interface TelemetryConfig {
  serviceName: string;
  /** Where spans go (`…/v1/traces`); undefined: tracing is off. */
  tracesUrl: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  headers: Readonly<Record<string, string>>;
  resourceAttributes: Readonly<Record<string, string>>;
  sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers. */
  samplerRatio: number;
  scheduleDelayMs: number;
  /** Longer string attribute values are cut to this many characters. */
  attributeValueLengthLimit: number;
}

/** Values that may hold credentials, never echoed in an error. */
const SECRET_VARIABLES = new Set([
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
]);

/**
 * Parses the OpenTelemetry variables (every bad one reported at once, credentials never
 * echoed) into a frozen config; `serviceName` is the default of `OTEL_SERVICE_NAME`.
 * The base endpoint gets the specification's `/v1/traces`; the traces endpoint is taken as is.
 */
export function loadTelemetryConfig(env: Env, serviceName: string): Readonly<TelemetryConfig> {
  const names = Object.keys(telemetryEnvSchema.shape);
  const present = Object.fromEntries(names.filter((name) => env[name]).map((name) => [name, env[name]!.trim()]));
  const result = telemetryEnvSchema.safeParse(present);
  if (!result.success) {
    throw new TelemetryConfigError(
      result.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const shown = SECRET_VARIABLES.has(name) ? '***' : present[name];
        return `${name}: ${issue.message} (got "${shown}")`;
      }),
    );
  }
  const parsed = result.data;
  const base = parsed.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracesUrl = parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base.replace(/\/+$/, '')}/v1/traces`);
  return Object.freeze({
    serviceName: parsed.OTEL_SERVICE_NAME || serviceName,
    tracesUrl: parsed.OTEL_SDK_DISABLED ? undefined : tracesUrl,
    protocol: parsed.OTEL_EXPORTER_OTLP_PROTOCOL,
    headers: Object.freeze({ ...parsed.OTEL_EXPORTER_OTLP_HEADERS }),
    resourceAttributes: Object.freeze({ ...parsed.OTEL_RESOURCE_ATTRIBUTES }),
    sampler: parsed.OTEL_TRACES_SAMPLER,
    samplerRatio: parsed.OTEL_TRACES_SAMPLER_ARG ?? 1,
    scheduleDelayMs: parsed.OTEL_BSP_SCHEDULE_DELAY,
    attributeValueLengthLimit: parsed.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  });
}
