import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@potluck/testing';
import { createLogger, type RunningService } from '@potluck/service';
import { startHelloService } from './helloService.js';
import { rawRequest } from './rawHttp.js';

type Line = Record<string, unknown>;

const schema = buildSubgraphSchema({
  typeDefs: parse('type Query { hello: String, slow: String }'),
  resolvers: {
    Query: {
      hello: () => 'world',
      slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 400)),
    },
  },
});

const running: RunningService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

/** The hello service logging at `level` into an array of parsed lines. */
async function serve(level: string): Promise<{ port: number; lines: Line[] }> {
  const lines: Line[] = [];
  const logger = createLogger('hello', level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const service = await startHelloService(schema, {
    logger,
    routes: (app) =>
      app.get('/boom', () => {
        throw new Error('a bug in a route');
      }),
  });
  running.push(service);
  return { port: service.port, lines };
}

const requestLines = (lines: Line[]) => lines.filter((line) => String(line.msg).startsWith('request '));

const postQuery = (port: number, query: string, headers: Record<string, string> = {}) =>
  rawRequest(port, {
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });

describe('the request log: one line per HTTP request', () => {
  it('names the request id, method, path, status, operation and duration, and never a header', async () => {
    const { port, lines } = await serve('info');
    await postQuery(port, 'query Hello { hello }', { 'x-request-id': 'log-1', authorization: 'Bearer s3cret' });

    const [line] = await waitFor(() => (requestLines(lines).length ? requestLines(lines) : undefined));
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      service: 'hello',
      requestId: 'log-1',
      req: { method: 'POST', url: '/graphql' },
      res: { statusCode: 200 },
      operationName: 'Hello',
    });
    expect(line!.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(line)).not.toMatch(/s3cret|authorization|content-type/i);
  });

  it('keeps the query string out: a GET carries the query and its variables there', async () => {
    const { port, lines } = await serve('info');
    const path = `/graphql?query=${encodeURIComponent('query Secretive { hello }')}&pin=1234`;
    const response = await rawRequest(port, { path, headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);

    const [line] = await waitFor(() => (requestLines(lines).length ? requestLines(lines) : undefined));
    expect(line).toMatchObject({ req: { method: 'GET', url: '/graphql' }, operationName: 'Secretive' });
    expect(JSON.stringify(line)).not.toContain('1234');
  });

  it('gives a refused operation its errors’ codes at warn, and a 500 "request errored" at error', async () => {
    const { port, lines } = await serve('info');
    await postQuery(port, '{ nope }');
    await rawRequest(port, { path: '/boom' });

    const [refused, failed] = await waitFor(() => (requestLines(lines).length >= 2 ? requestLines(lines) : undefined));
    expect(refused).toMatchObject({
      level: 40,
      msg: 'request completed',
      res: { statusCode: 400 },
      errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', message: expect.stringContaining('nope') }],
    });
    expect(failed).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { url: '/boom' },
      res: { statusCode: 500 },
    });
  });

  it('logs a passing health probe at debug, so not at all at info', async () => {
    const quiet = await serve('info');
    await rawRequest(quiet.port, { path: '/health/live' });
    await postQuery(quiet.port, '{ hello }');
    await waitFor(() => (requestLines(quiet.lines).length ? true : undefined));
    expect(requestLines(quiet.lines).map((line) => (line.req as Line).url)).toEqual(['/graphql']);

    const verbose = await serve('debug');
    await rawRequest(verbose.port, { path: '/health/live' });
    const [probe] = await waitFor(() => (requestLines(verbose.lines).length ? requestLines(verbose.lines) : undefined));
    expect(probe).toMatchObject({ level: 20, req: { url: '/health/live' }, res: { statusCode: 200 } });
  });

  it('says so when the client went away before its answer', async () => {
    const { port, lines } = await serve('info');
    const controller = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Slow { slow }' }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(request).rejects.toThrow();

    const [line] = await waitFor(() => (requestLines(lines).length ? requestLines(lines) : undefined));
    expect(line).toMatchObject({ level: 30, msg: 'request aborted', req: { url: '/graphql' } });
    // Nothing was sent: no status to report.
    expect(line).not.toHaveProperty('res');
  });

  it('judges a health probe by the path as it arrived: a query under /graphql/health/ is logged as one', async () => {
    const { port, lines } = await serve('info');
    const response = await rawRequest(port, {
      method: 'POST',
      path: '/graphql/health/live',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Hidden { hello }' }),
    });
    expect(response.body).toContain('world');

    const [line] = await waitFor(() => (requestLines(lines).length ? requestLines(lines) : undefined));
    expect(line).toMatchObject({ level: 30, req: { url: '/graphql/health/live' }, operationName: 'Hidden' });
  });
});
