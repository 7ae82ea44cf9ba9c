import http from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { createGatewayCredentialSigner, GATEWAY_CREDENTIAL_HEADER } from '@potluck/identity';
import { createLogger, REQUEST_ID_HEADER } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import {
  REFUSAL_LOG_INTERVAL_MS,
  SubgraphDataSource,
  type SubgraphDataSourceOptions,
} from '../src/subgraphDataSource.js';
import { createSubgraphPools } from '../src/subgraphPools.js';

/** What each path of the stand-in subgraph answers: status, content type and body. */
const ANSWERS: Record<string, [number, string, string]> = {
  '/ok': [200, 'application/json', '{"data":{"recipe":{"id":"1"}},"extensions":{"x":1}}'],
  '/graphql-response': [200, 'application/graphql-response+json; charset=utf-8', '{"data":{"a":1}}'],
  '/partial': [200, 'application/json', '{"data":{"a":null},"errors":[{"message":"no","path":["a"]}]}'],
  '/text': [200, 'text/plain', 'hello'],
  '/array': [200, 'application/json', '[1,2]'],
  '/refused': [
    400,
    'application/json',
    '{"errors":[{"message":"title is empty","extensions":{"code":"BAD_USER_INPUT"}}]}',
  ],
  '/invalid': [
    400,
    'application/json',
    '{"errors":[{"message":"Cannot query field","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}',
  ],
  // What a subgraph's `gatewayOnly` answers a credential it refuses.
  '/unauthenticated': [
    401,
    'application/json',
    '{"errors":[{"message":"The gateway credential is not valid","extensions":{"code":"UNAUTHENTICATED"}}]}',
  ],
  '/forbidden': [403, 'text/plain', 'go away'],
  '/broken': [500, 'application/json', '{"errors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'],
  '/proxy': [502, 'text/html', '<html>bad gateway</html>'],
  '/odd-errors': [400, 'application/json', '{"errors":5}'],
  // What a subgraph's admission control answers a call it has no room for.
  '/busy': [
    503,
    'application/json',
    '{"errors":[{"message":"The server is busy","extensions":{"code":"SERVER_BUSY","reason":"queue_full","retryAfter":1}}]}',
  ],
  '/unavailable': [503, 'application/json', '{"errors":[{"message":"down","extensions":{"code":"SOMETHING_ELSE"}}]}'],
};

let server: http.Server;
let origin: string;
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
const pools = createSubgraphPools({ dedupe: false });
const credentials = createGatewayCredentialSigner('a-test-secret-of-at-least-32-characters!');
const logger = createLogger('test', 'silent');
const VIEWER = { id: 'user-1', name: 'Ada', roles: [] };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2000).unref();
      const [status, type, text] = ANSWERS[req.url ?? ''] ?? [404, 'text/plain', 'not found'];
      res.writeHead(status, { 'content-type': type }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await pools.close();
});

const ours = (url: string, timeoutMs = 1000, more: Partial<SubgraphDataSourceOptions> = {}) =>
  new SubgraphDataSource({ name: 'recipes', url, pools, timeoutMs, logger, credentials, ...more });

function options(headers?: Headers): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    kind: 'incoming operation', // @apollo/gateway does not export the enum at run time
    request: { query: '{ recipe(id: "1") { id } }', variables: { a: 1 }, ...(headers && { http: { headers } }) },
    incomingRequestContext: {},
    context: { requestId: 'request-1', viewer: VIEWER },
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

/** What a data source resolves to or throws, in a form two of them can be compared by. */
async function outcome(source: { process: SubgraphDataSource['process'] }) {
  try {
    const { data, errors, extensions } = await source.process(options());
    return { data, errors, extensions };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const extensions = error instanceof GraphQLError ? error.extensions : undefined;
    return { thrown: error.constructor.name, message: error.message, extensions };
  }
}

describe('SubgraphDataSource', () => {
  it('sends the query as Apollo serializes it, with the credential, the request id and the headers it was given', async () => {
    received.length = 0;
    const response = await ours(`${origin}/ok`).process(options(new Headers({ 'x-potluck-cache-mark': '7' })));
    expect(response).toEqual({ data: { recipe: { id: '1' } }, extensions: { x: 1 } });
    const [{ headers, body }] = received as [(typeof received)[number]];
    expect(body).toBe('{"query":"{ recipe(id: \\"1\\") { id } }","variables":{"a":1}}');
    expect(headers['content-type']).toBe('application/json');
    expect(headers[REQUEST_ID_HEADER]).toBe('request-1');
    expect(headers['x-potluck-cache-mark']).toBe('7');
    expect(headers[GATEWAY_CREDENTIAL_HEADER]).toBe(await credentials.credentialFor('recipes', VIEWER));
  });

  it('merges concurrent fetches into one call, but never ones Apollo Gateway traces (their answer carries the trace)', async () => {
    const merging = ours(`${origin}/ok`, 1000, { batchMaxFetches: 16 });
    const fetchWith = (a: number, headers?: Headers) => {
      const sent = options(headers);
      return merging.process({ ...sent, request: { ...sent.request, variables: { a } } } as typeof sent);
    };
    const merged = () => received.filter(({ body }) => body.includes('b1k0:')).length;
    received.length = 0;
    await Promise.allSettled(
      [1, 2, 3].map((a) => fetchWith(a, new Headers({ 'apollo-federation-include-trace': 'ftv1' }))),
    );
    expect(received).toHaveLength(3);
    expect(merged()).toBe(0);
    received.length = 0;
    await Promise.allSettled([1, 2, 3].map((a) => fetchWith(a)));
    expect(merged()).toBe(1);
  });

  it.each(['/ok', '/graphql-response', '/partial', '/text', '/array', '/invalid', '/broken'])(
    'answers %s as Apollo’s RemoteGraphQLDataSource does',
    async (path) => {
      const apollo = new RemoteGraphQLDataSource<GatewayContext>({ url: `${origin}${path}` });
      expect(await outcome(ours(`${origin}${path}`))).toEqual(await outcome(apollo));
    },
  );

  it.each(['/unauthenticated', '/forbidden'])(
    'reports %s, a subgraph refusing the gateway’s own credential, as unavailable and tells the operator once per interval',
    async (path) => {
      const lines: Array<Record<string, unknown>> = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      });
      const watched = createLogger('test', 'info', destination);
      const source = new SubgraphDataSource({
        name: 'recipes',
        url: `${origin}${path}`,
        pools,
        timeoutMs: 1000,
        logger: watched,
        credentials,
      });
      // Not the client's UNAUTHENTICATED: no token of theirs was refused.
      expect(await outcome(source)).toEqual({
        thrown: 'GraphQLError',
        message: 'The recipes subgraph is unavailable',
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'recipes' },
      });
      await outcome(source);
      await outcome(source);
      const line = {
        level: 50,
        msg: 'subgraph refused the gateway credential',
        subgraph: 'recipes',
        status: ANSWERS[path]![0],
        answer: ANSWERS[path]![2],
        requestId: 'request-1',
      };
      expect(lines).toEqual([expect.objectContaining({ ...line, refusedSinceLastLine: 0 })]);

      const later = performance.now() + REFUSAL_LOG_INTERVAL_MS;
      const clock = vi.spyOn(performance, 'now').mockReturnValue(later);
      try {
        await outcome(source);
      } finally {
        clock.mockRestore();
      }
      expect(lines).toHaveLength(2);
      expect(lines[1]).toEqual(expect.objectContaining({ ...line, refusedSinceLastLine: 2 }));
    },
  );

  it('counts a refused credential as an unavailable subgraph in the fetch metrics', async () => {
    const timer = { ok: vi.fn(), error: vi.fn(), timeout: vi.fn(), unavailable: vi.fn() };
    const source = ours(`${origin}/unauthenticated`, 1000, { timer });
    await outcome(source);
    expect(timer.unavailable).toHaveBeenCalledTimes(1);
    expect([timer.ok, timer.error, timer.timeout].map((observe) => observe.mock.calls.length)).toEqual([0, 0, 0]);
  });

  it('passes a subgraph’s coded refusal (a 4xx with a client-facing code) to the client', async () => {
    expect(await outcome(ours(`${origin}/refused`))).toEqual({
      thrown: 'GraphQLError',
      message: 'title is empty',
      extensions: { code: 'BAD_USER_INPUT', serviceName: 'recipes' },
    });
  });

  it('reports a subgraph too busy to take the call (503 SERVER_BUSY) as SUBGRAPH_BUSY, and other 503s by their status', async () => {
    const timer = { ok: vi.fn(), error: vi.fn(), timeout: vi.fn(), unavailable: vi.fn() };
    const source = new SubgraphDataSource({
      name: 'recipes',
      url: `${origin}/busy`,
      pools,
      timeoutMs: 1000,
      logger,
      credentials,
      timer,
    });
    expect(await outcome(source)).toEqual({
      thrown: 'GraphQLError',
      message: 'The recipes subgraph is busy; try again in 1 s',
      extensions: { code: 'SUBGRAPH_BUSY', serviceName: 'recipes', retryAfter: 1 },
    });
    expect(timer.unavailable).toHaveBeenCalledTimes(1);
    expect(await outcome(ours(`${origin}/unavailable`))).toMatchObject({
      thrown: 'GraphQLError',
      message: '503: Service Unavailable',
      extensions: { response: { status: 503 } },
    });
  });

  it('reports a status with a body that is not JSON by its status, the body kept as text', async () => {
    expect(await outcome(ours(`${origin}/proxy`))).toMatchObject({
      thrown: 'GraphQLError',
      message: '502: Bad Gateway',
      extensions: { response: { status: 502, body: '<html>bad gateway</html>' } },
    });
  });

  it('reports a 4xx whose errors are not a list by its status', async () => {
    expect(await outcome(ours(`${origin}/odd-errors`))).toMatchObject({
      thrown: 'GraphQLError',
      message: '400: Bad Request',
      extensions: { response: { status: 400, body: { errors: 5 } } },
    });
  });

  it('turns a subgraph that does not answer in time into SUBGRAPH_TIMEOUT', async () => {
    expect(await outcome(ours(`${origin}/slow`, 200))).toMatchObject({
      thrown: 'GraphQLError',
      extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'recipes' },
    });
  });

  it('turns a subgraph nobody listens for into SUBGRAPH_UNAVAILABLE', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/graphql`;
    expect(await outcome(ours(closed))).toMatchObject({
      thrown: 'GraphQLError',
      message: 'The recipes subgraph is unavailable',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'recipes' },
    });
  });
});
