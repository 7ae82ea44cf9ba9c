import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/startAsMainDoes.ts', import.meta.url));

/** Runs the probe in a process of its own, as a service starts: node, tsx, then `startTracing`. */
async function startAsMainDoes(env: Record<string, string>): Promise<{ exporting: boolean; loaded: string[] }> {
  const withoutOtel = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE], {
    env: { ...withoutOtel, ...env },
    timeout: 20_000,
  });
  return JSON.parse(stdout) as { exporting: boolean; loaded: string[] };
}

// The SDK with its exporters and instrumentations costs each process about 40 MiB and a large
// part of its start-up, so a service that exports no spans must not load it.
describe('loading the OpenTelemetry SDK', () => {
  it('loads none of it when no endpoint is set', async () => {
    expect(await startAsMainDoes({})).toEqual({ exporting: false, loaded: [] });
  });

  it('loads it, with the instrumentations, when spans are exported', async () => {
    const started = await startAsMainDoes({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(started.exporting).toBe(true);
    expect(started.loaded).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http']),
    );
  });
});
