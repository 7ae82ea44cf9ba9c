import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningService } from '@potluck/service';
import { helloSchema, startHelloService } from './helloService.js';
import { postGraphQL } from './rawHttp.js';

const { schema, counter } = helloSchema();
let service: RunningService;

beforeAll(async () => {
  service = await startHelloService(schema);
});

afterAll(async () => {
  await service?.stop();
});

it('refuses automatic persisted queries: a query cannot be stored under a hash, nor run by its hash', async () => {
  const query = '{ hello }';
  const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };

  const register = await postGraphQL(service.port, { query, extensions: { persistedQuery } });
  const byHash = await postGraphQL(service.port, { extensions: { persistedQuery } });

  for (const response of [register, byHash]) {
    const body = JSON.parse(response.body) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    expect(body.data).toBeUndefined();
  }
  expect(counter.calls).toBe(0);
  expect(JSON.parse((await postGraphQL(service.port, { query })).body)).toEqual({ data: { hello: 'world' } });
});
