import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_HOSTS, type RunningService } from '@potluck/service';
import { helloSchema, startHelloService } from './helloService.js';
import { postGraphQL, rawExchange, rawRequest, type RawResponse } from './rawHttp.js';

const { schema } = helloSchema();
const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';
const PREFLIGHT = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' };

/** Like the gateway: the host check and an extra route at `/` (the IDE there). */
const withHosts = (allowedHosts: readonly string[], corsOrigins: readonly string[] = []) =>
  startHelloService(schema, {
    allowedHosts,
    corsOrigins,
    routes: (app) => app.get('/', (_req, res) => void res.json({ page: 'ide' })),
  });

const codeOf = (response: RawResponse) =>
  (JSON.parse(response.body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;

let gatewayLike: RunningService;
let open: RunningService;
let subgraphLike: RunningService;
let withCors: RunningService;

beforeAll(async () => {
  [gatewayLike, open, subgraphLike, withCors] = await Promise.all([
    withHosts(DEFAULT_ALLOWED_HOSTS),
    withHosts(['*']),
    startHelloService(schema),
    withHosts(DEFAULT_ALLOWED_HOSTS, [APP]),
  ]);
});

afterAll(async () => {
  await Promise.all([gatewayLike, open, subgraphLike, withCors].map((service) => service?.stop()));
});

describe('host check (DNS rebinding)', () => {
  it('refuses the IDE and /graphql with 403 HOST_NOT_ALLOWED for a host that is not allowed', async () => {
    for (const host of ['rebind.evil.example', 'evil.example:4000', 'localhost.evil.example', 'x@localhost']) {
      const page = await rawRequest(gatewayLike.port, { path: '/', headers: { host } });
      const query = await postGraphQL(gatewayLike.port, { query: '{ hello }' }, { host });
      for (const response of [page, query]) {
        expect(response.status, host).toBe(403);
        expect(codeOf(response), host).toBe('HOST_NOT_ALLOWED');
      }
    }
  });

  it('refuses a request without a Host header (HTTP/1.0)', async () => {
    expect(await rawExchange(gatewayLike.port, 'GET / HTTP/1.0\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 403[\s\S]*HOST_NOT_ALLOWED/,
    );
  });

  it('serves localhost, 127.0.0.1 and [::1] on any port', async () => {
    for (const host of ['localhost', 'LOCALHOST:4000', '127.0.0.1:8080', '[::1]:4000', '[::1]']) {
      expect((await rawRequest(gatewayLike.port, { path: '/', headers: { host } })).status, host).toBe(200);
      expect(JSON.parse((await postGraphQL(gatewayLike.port, { query: '{ hello }' }, { host })).body), host).toEqual({
        data: { hello: 'world' },
      });
    }
  });

  it('leaves the health routes open to any host, for probes that use the pod IP', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const response = await rawRequest(gatewayLike.port, { path, headers: { host: '10.1.2.3:4000' } });
      expect(response.status, path).toBe(200);
    }
  });

  it('serves any host with *, and when no host list is given (a subgraph)', async () => {
    for (const service of [open, subgraphLike]) {
      const response = await postGraphQL(service.port, { query: '{ hello }' }, { host: 'recipes:4001' });
      expect(response.status).toBe(200);
    }
  });
});

describe('CORS', () => {
  const preflight = (service: RunningService, origin: string) =>
    rawRequest(service.port, {
      method: 'OPTIONS',
      path: '/graphql',
      headers: { host: 'localhost', origin, ...PREFLIGHT },
    });
  const post = (service: RunningService, origin: string) =>
    postGraphQL(service.port, { query: '{ hello }' }, { origin });

  it('is closed by default: no Access-Control-Allow-Origin on a preflight or a POST from another origin', async () => {
    for (const response of [await preflight(gatewayLike, APP), await post(gatewayLike, APP)]) {
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('lets a listed origin call /graphql: preflight and POST carry Access-Control-Allow-Origin', async () => {
    const allowed = await preflight(withCors, APP);
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect(allowed.headers['access-control-allow-methods']).toContain('POST');
    expect(allowed.headers['vary']).toContain('Origin');
    const answered = await post(withCors, APP);
    expect(answered.headers['access-control-allow-origin']).toBe(APP);
    expect(JSON.parse(answered.body)).toEqual({ data: { hello: 'world' } });
  });

  it('gives an unlisted origin no Access-Control-Allow-Origin', async () => {
    for (const response of [await preflight(withCors, OTHER), await post(withCors, OTHER)]) {
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it("keeps Apollo's CSRF prevention: a simple GET from a listed origin is still refused", async () => {
    const response = await rawRequest(withCors.port, {
      path: '/graphql?query=%7Bhello%7D',
      headers: { host: 'localhost', origin: APP, accept: 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/Cross-Site Request Forgery/);
  });
});

describe('answers to /graphql', () => {
  it('carry no ETag (nothing revalidates a POST; hashing every answer was CPU for nothing) and no X-Powered-By', async () => {
    const response = await postGraphQL(subgraphLike.port, { query: '{ hello }' }, { host: 'recipes:4001' });
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBeUndefined();
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});
