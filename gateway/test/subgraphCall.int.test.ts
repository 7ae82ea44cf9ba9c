import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphCall } from '../src/subgraphCall.js';

let server: http.Server;
let url: string;
const agent = new Agent({ keepAliveTimeout: 1000 });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let received = '';
    req.on('data', (chunk: Buffer) => (received += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2000).unref();
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ data: { echo: received, requestId: req.headers['x-request-id'] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await agent.close();
});

describe('subgraphCall', () => {
  it('sends the body and headers and returns the whole answer, every header included', async () => {
    const call = subgraphCall(agent, 1000);
    const answer = await call(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' },
      body: '{"query":"{ a }"}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers).toContainEqual(['content-type', 'application/json']);
    expect(answer.headers).toContainEqual(['set-cookie', 'b=2']);
    expect(JSON.parse(answer.body)).toEqual({ data: { echo: '{"query":"{ a }"}', requestId: 'r-1' } });
  });

  it('gives up at the deadline with a TimeoutError, which the data source reports as SUBGRAPH_TIMEOUT', async () => {
    const started = Date.now();
    const call = subgraphCall(agent, 200);
    await expect(call(`${url}/slow`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
