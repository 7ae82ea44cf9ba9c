import { describe, expect, it } from 'vitest';
import { loadTelemetryConfig, TelemetryConfigError } from '../src/index.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadTelemetryConfig(env, 'recipes');
  } catch (error) {
    if (error instanceof TelemetryConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the OpenTelemetry variables', () => {
  it('leave tracing off when no endpoint is set: npm start and the tests need nothing', () => {
    expect(loadTelemetryConfig({}, 'recipes')).toEqual({
      serviceName: 'recipes',
      tracesUrl: undefined,
      protocol: 'http/protobuf',
      headers: {},
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      scheduleDelayMs: 5000,
      attributeValueLengthLimit: 4096,
    });
  });

  it('send traces to the base endpoint’s /v1/traces, or to the traces endpoint as given', () => {
    const base = (endpoint: string) => loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, 'x').tracesUrl;
    expect(base('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(base('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(base('https://otel.example.com/otlp')).toBe('https://otel.example.com/otlp/v1/traces');
    const both = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/path',
    };
    expect(loadTelemetryConfig(both, 'x').tracesUrl).toBe('http://tempo:4318/custom/path');
  });

  it('turn export off with OTEL_SDK_DISABLED even when an endpoint is set', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' };
    expect(loadTelemetryConfig(env, 'gateway').tracesUrl).toBeUndefined();
  });

  it('read the service name, the protocol, headers, resource attributes, the sampler, the batch delay and the attribute length limit', () => {
    const config = loadTelemetryConfig(
      {
        OTEL_SERVICE_NAME: 'recipes-eu-1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant = potluck',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging,service.version=1.2.3',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1024',
      },
      'recipes',
    );
    expect(config).toMatchObject({
      serviceName: 'recipes-eu-1',
      protocol: 'http/json',
      headers: { authorization: 'Bearer abc', 'x-tenant': 'potluck' },
      resourceAttributes: { 'deployment.environment.name': 'staging', 'service.version': '1.2.3' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      scheduleDelayMs: 200,
      attributeValueLengthLimit: 1024,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('report every bad variable at once, by name, never echoing headers or endpoints (they carry credentials)', () => {
    const problems = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318?token=secret',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_SDK_DISABLED: 'yes',
      OTEL_BSP_SCHEDULE_DELAY: '0',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'OTEL_BSP_SCHEDULE_DELAY',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_SDK_DISABLED',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
    expect(problems.join('\n')).not.toContain('secret');
    expect(problems.join('\n')).not.toContain('authorization');
    expect(problems).toContain(
      'OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (grpc is not supported) (got "grpc")',
    );
  });
});
