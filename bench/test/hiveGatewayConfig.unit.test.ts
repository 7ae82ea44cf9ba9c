import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hiveGatewayConfigSource } from '../src/gateways/peers/hiveGatewayCredential.js';

interface LoadedConfig {
  gatewayConfig: { unifiedGraphHandler?: unknown; plugins: () => unknown[] };
}

let dir: string;
const secret = process.env.INTERNAL_AUTH_SECRET;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'potluck-hive-config-'));
  process.env.INTERNAL_AUTH_SECRET = 'x'.repeat(64);
});

afterAll(async () => {
  if (secret === undefined) delete process.env.INTERNAL_AUTH_SECRET;
  else process.env.INTERNAL_AUTH_SECRET = secret;
  await rm(dir, { recursive: true, force: true });
});

/** Writes the config file as the benchmark does, outside the checkout, and imports it as Hive's CLI would. */
async function load(routerRuntime: boolean): Promise<LoadedConfig> {
  const file = path.join(dir, `${routerRuntime ? 'hive-router' : 'hive'}.gateway.config.ts`);
  await writeFile(file, hiveGatewayConfigSource({ routerRuntime }));
  return (await import(pathToFileURL(file).href)) as LoadedConfig;
}

describe('the Hive Gateway config files the benchmark writes', () => {
  it('run the Rust query planner for the hive-router peer, from the one installed copy of router-runtime', async () => {
    const { gatewayConfig } = await load(true);
    expect(gatewayConfig.unifiedGraphHandler).toBe(unifiedGraphHandler);
    expect(gatewayConfig.plugins()).toHaveLength(1);
  });

  it('leave plain Hive Gateway on its default runtime', async () => {
    const { gatewayConfig } = await load(false);
    expect(gatewayConfig.unifiedGraphHandler).toBeUndefined();
    expect(gatewayConfig.plugins()).toHaveLength(1);
  });
});
