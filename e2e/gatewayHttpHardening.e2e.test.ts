import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@potluck/testing';
import { postGraphQL, rawRequest, slowClient, type RawResponse } from '../packages/service/test/rawHttp.js';
import { useStack } from './stack.js';

/**
 * The stack as processes, configured through the environment as an operator would: the
 * gateway and a subgraph with short HTTP timeouts, the gateway open to one CORS origin.
 */
const APP = 'https://app.example.com';
const SHORT_TIMEOUTS = { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1000' };

const stack = useStack({
  gateway: { ...SHORT_TIMEOUTS, CORS_ORIGINS: APP },
  recipes: SHORT_TIMEOUTS,
});
let gatewayPort: number;
let recipesPort: number;

const portOf = (url: string) => Number(new URL(url).port);
const codesOf = (response: RawResponse) =>
  (JSON.parse(response.body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.map(
    (error) => error.extensions?.code,
  );

beforeAll(() => {
  gatewayPort = portOf(stack.gatewayUrl);
  recipesPort = portOf(stack.recipesUrl);
});

describe('the gateway answers only for its own host names', () => {
  it('refuses the IDE and /graphql for another Host with 403 HOST_NOT_ALLOWED', async () => {
    const host = 'rebind.evil.example:4000';
    const page = await rawRequest(gatewayPort, { path: '/', headers: { host, accept: 'text/html' } });
    const query = await postGraphQL(gatewayPort, { query: '{ __typename }' }, { host });
    for (const response of [page, query]) {
      expect(response.status).toBe(403);
      expect(codesOf(response)).toEqual(['HOST_NOT_ALLOWED']);
    }
  });

  it('serves the IDE and /graphql at localhost, and its health routes to any Host', async () => {
    expect((await rawRequest(gatewayPort, { path: '/', headers: { host: `localhost:${gatewayPort}` } })).status).toBe(
      200,
    );
    expect(JSON.parse((await postGraphQL(gatewayPort, { query: '{ __typename }' })).body)).toEqual({
      data: { __typename: 'Query' },
    });
    for (const path of ['/health/live', '/health/ready']) {
      expect((await rawRequest(gatewayPort, { path, headers: { host: '10.0.0.7:4000' } })).status, path).toBe(200);
    }
  });

  it('leaves a subgraph without a host check: the gateway reaches it by any name', async () => {
    const asGateway = await stack.gatewayCredential('recipes');
    const response = await postGraphQL(
      recipesPort,
      { query: '{ __typename }' },
      { host: 'recipes:4001', ...asGateway },
    );
    expect(response.status).toBe(200);
  });
});

describe('HTTP timeouts from the environment', () => {
  it('cuts off a client that trickles its headers, at the gateway and at a subgraph', async () => {
    for (const port of [gatewayPort, recipesPort]) {
      let line = 0;
      const client = await slowClient(
        port,
        'POST /graphql HTTP/1.1\r\nHost: localhost\r\n',
        () => `X-Slow-${line++}: a\r\n`,
      );
      try {
        const closedAfter = await waitFor(() => client.closedAfterMs(), {
          timeoutMs: 5000,
          what: 'the connection closed',
        });
        expect(closedAfter).toBeLessThan(1500);
      } finally {
        client.destroy();
      }
    }
  });
});

describe('CORS and persisted queries', () => {
  it('gives the configured origin Access-Control-Allow-Origin, and no other', async () => {
    const preflight = (origin: string) =>
      rawRequest(gatewayPort, {
        method: 'OPTIONS',
        path: '/graphql',
        headers: { host: 'localhost', origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight(APP)).headers['access-control-allow-origin']).toBe(APP);
    expect((await preflight('https://evil.example.net')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses automatic persisted queries at the gateway and at a subgraph', async () => {
    const query = '{ __typename }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const asGateway = await stack.gatewayCredential('recipes');
    for (const [port, headers] of [
      [gatewayPort, {}],
      [recipesPort, asGateway],
    ] as const) {
      expect(codesOf(await postGraphQL(port, { query, extensions: { persistedQuery } }, headers))).toEqual([
        'PERSISTED_QUERY_NOT_SUPPORTED',
      ]);
      expect(codesOf(await postGraphQL(port, { extensions: { persistedQuery } }, headers))).toEqual([
        'PERSISTED_QUERY_NOT_SUPPORTED',
      ]);
    }
  });
});
