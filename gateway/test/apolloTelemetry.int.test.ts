import http from 'node:http';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { createLogger } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { startGateway } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** Every outgoing HTTP(S) request, by host and path; each is cut before it connects, so nothing leaves. */
const outgoing: string[] = [];

function blockOutgoing(module: typeof http | typeof https): void {
  const request = module.request.bind(module) as (...args: unknown[]) => http.ClientRequest;
  vi.spyOn(module, 'request').mockImplementation(((...args: unknown[]) => {
    const target = args[0] as string | URL | http.RequestOptions;
    if (typeof target === 'string' || target instanceof URL) {
      const url = new URL(target);
      outgoing.push(`${url.hostname}${url.pathname}`);
    } else {
      outgoing.push(`${target.hostname ?? target.host}${target.path ?? ''}`);
    }
    const cut = request(...args);
    cut.destroy(new Error('blocked by the test'));
    return cut;
  }) as typeof http.request);
}

const saved = process.env.APOLLO_TELEMETRY_DISABLED;

// Kept until the file ends: an opted-in gateway's metadata probes may still be retrying after it stopped.
beforeAll(() => {
  blockOutgoing(http);
  blockOutgoing(https);
});

afterAll(() => {
  vi.restoreAllMocks();
});

beforeEach(() => {
  outgoing.length = 0;
  delete process.env.APOLLO_TELEMETRY_DISABLED;
});

afterEach(() => {
  if (saved === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
  else process.env.APOLLO_TELEMETRY_DISABLED = saved;
});

/** Starts and stops the gateway in-process (no subgraph is called); returns what it tried to send. */
async function runGateway(env: Record<string, string>): Promise<string[]> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: String(await freePort()), ...env });
  const gateway = await startGateway(config, createLogger('gateway', 'silent'));
  await gateway.stop();
  return [...outgoing];
}

it('sends Apollo no telemetry by default: the flag @apollo/gateway reads is set, nothing goes out', async () => {
  const outgoing = await runGateway({});
  expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  expect(outgoing).toEqual([]);
});

it('leaves the flag alone when the operator opts in with APOLLO_TELEMETRY', async () => {
  const outgoing = await runGateway({ APOLLO_TELEMETRY: 'true' });
  expect(process.env.APOLLO_TELEMETRY_DISABLED).toBeUndefined();
  // What the opt-in costs, and what the default saves: the usage report at stop, after cloud metadata probes.
  expect(outgoing).toContain('usage-reporting.api.apollographql.com/v1/metrics');
});
