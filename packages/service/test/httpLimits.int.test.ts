import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@potluck/testing';
import { DEFAULT_HTTP_LIMITS, type HttpServerLimits, type RunningService } from '@potluck/service';
import { helloSchema, startHelloService } from './helloService.js';
import { rawRequest, slowClient, type SlowClient } from './rawHttp.js';

const { schema } = helloSchema();
const running: RunningService[] = [];
const clients: SlowClient[] = [];
const sockets: net.Socket[] = [];

async function serve(limits: Partial<HttpServerLimits>): Promise<number> {
  const service = await startHelloService(schema, { httpLimits: { ...DEFAULT_HTTP_LIMITS, ...limits } });
  running.push(service);
  return service.port;
}

async function trickle(port: number, first: string, next: () => string): Promise<SlowClient> {
  const client = await slowClient(port, first, next);
  clients.push(client);
  return client;
}

function closeTime(client: SlowClient): Promise<number> {
  return waitFor(() => client.closedAfterMs(), { timeoutMs: 5000, what: 'the server to close the connection' });
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

describe('HTTP timeouts: a slow client cannot hold a socket', () => {
  it('closes with 408 a connection whose headers trickle in longer than the headers timeout', async () => {
    const port = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    let line = 0;
    const client = await trickle(
      port,
      'GET /health/live HTTP/1.1\r\nHost: localhost\r\n',
      () => `X-Slow-${line++}: a\r\n`,
    );
    const closedAfter = await closeTime(client);
    expect(closedAfter).toBeGreaterThanOrEqual(450);
    expect(closedAfter).toBeLessThan(1500);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection whose request line never ends', async () => {
    const port = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const client = await trickle(port, 'GET /graph', () => 'q');
    expect(await closeTime(client)).toBeLessThan(1500);
  });

  it('closes a connection whose body trickles in longer than the request timeout', async () => {
    const port = await serve({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const headers =
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    const client = await trickle(port, headers, () => ' ');
    const closedAfter = await closeTime(client);
    expect(closedAfter).toBeGreaterThanOrEqual(950);
    expect(closedAfter).toBeLessThan(2000);
  });

  it('keeps a connection alive between requests longer than the gateway pools keep one idle', async () => {
    const port = await serve({});
    const response = await rawRequest(port, {
      path: '/health/live',
      headers: { host: 'localhost', connection: 'keep-alive' },
    });
    // undici trusts the advertised timeout less 2 s; the gateway's pools idle for 30 s.
    const advertised = Number(/timeout=(\d+)/.exec(String(response.headers['keep-alive']))?.[1]);
    expect(advertised * 1000 - 2000).toBeGreaterThanOrEqual(30_000);
  });
});

describe('HTTP connection cap', () => {
  async function connect(port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let closed = false;
    socket.on('close', () => (closed = true)).on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return { socket, closed: () => closed };
  }

  it('closes connections beyond the cap as they arrive, and accepts again once one ends', async () => {
    const port = await serve({ maxConnections: 2 });
    const [first, second] = [await connect(port), await connect(port)];
    const third = await connect(port);
    await waitFor(() => third.closed() || undefined, { timeoutMs: 2000, what: 'the third connection to be closed' });
    expect(first.closed() || second.closed()).toBe(false);

    first.socket.destroy();
    await waitFor(
      async () =>
        (await rawRequest(port, { path: '/health/live', headers: { host: 'localhost' } })).status === 200 || undefined,
      { timeoutMs: 2000, what: 'a request once a connection is free' },
    );
  });
});
