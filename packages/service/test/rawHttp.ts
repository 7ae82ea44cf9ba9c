import http from 'node:http';
import net from 'node:net';

// HTTP as a test needs it raw: any Host header, and a client that sends slowly.

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with any headers, Host included (fetch would not send a chosen Host). */
export function rawRequest(
  port: number,
  {
    method = 'GET',
    path = '/',
    headers = {},
    body,
    signal,
  }: { method?: string; path?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false, signal }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `text` as it is and resolves with everything the server answered until it closed the connection. */
export function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received)).on('error', reject);
  });
}

/** A JSON POST of one operation to `/graphql`; aborting `signal` closes its connection. */
export function postGraphQL(
  port: number,
  payload: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<RawResponse> {
  return rawRequest(port, {
    method: 'POST',
    path: '/graphql',
    headers: { host: 'localhost', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
    signal,
  });
}

export interface SlowClient {
  /** Milliseconds from the first byte until the server closed the connection, once it has. */
  closedAfterMs(): number | undefined;
  /** What the server sent before closing. */
  received(): string;
  destroy(): void;
}

/** Opens a connection and writes `first`, then one of `next()` every `everyMs` until the server closes it. */
export async function slowClient(port: number, first: string, next: () => string, everyMs = 100): Promise<SlowClient> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const startedAt = Date.now();
  let closedAt: number | undefined;
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  socket.on('error', () => {});
  socket.write(first);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(next());
  }, everyMs);
  socket.on('close', () => {
    closedAt = Date.now();
    clearInterval(timer);
  });
  return {
    closedAfterMs: () => (closedAt === undefined ? undefined : closedAt - startedAt),
    received: () => received,
    destroy: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
