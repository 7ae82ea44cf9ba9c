import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { freePort, testIdentityProvider } from '@potluck/testing';
import { spawnService, stopService, waitForHttpOk, type ServiceProcess } from '../scripts/stack.js';

/** What a stand-in subgraph does with one GraphQL POST. */
export type StandInBehaviour =
  | { kind: 'answer'; body: (request: { query: string; variables?: Record<string, unknown> }) => unknown }
  | { kind: 'hold' };

export interface StandInSubgraph {
  url: string;
  /** Every GraphQL request received, with its headers. */
  received: Array<{ headers: http.IncomingHttpHeaders; body: string }>;
  /** How many TCP connections the gateway opened (keep-alive keeps this low). */
  connections(): number;
  behave(behaviour: StandInBehaviour): void;
  /** Answers every held request with this body. */
  release(body: unknown): void;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server in place of one subgraph URL: ready on `/health/ready`, and on
 * `POST /graphql` it answers, or holds the request until released (a slow subgraph).
 */
export async function startStandInSubgraph(initial: StandInBehaviour): Promise<StandInSubgraph> {
  let behaviour = initial;
  const held: http.ServerResponse[] = [];
  const received: StandInSubgraph['received'] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health/ready') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (behaviour.kind === 'hold') {
        held.push(res);
        return;
      }
      const answer = behaviour.body(JSON.parse(body) as { query: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    connections: () => connections,
    behave: (next) => void (behaviour = next),
    release(body) {
      for (const res of held.splice(0)) {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface GatewayProcess {
  url: string;
  origin: string;
  logs: string[];
  process: ServiceProcess;
  stop(): Promise<number | null>;
}

/** One gateway process (as `npm start` runs it, with development keys of its own) in front of the given subgraph URLs. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const logs: string[] = [];
  const identities = testIdentityProvider();
  const service = spawnService(
    'gateway',
    { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', AUTH_DEV_FILE: identities.devFile, ...env },
    (_name, line) => void logs.push(line),
  );
  void service.exited.finally(() => identities.remove());
  const origin = `http://127.0.0.1:${port}`;
  try {
    const exited = service.exited.then((code) => {
      throw new Error(`exited with code ${code}`);
    });
    await Promise.race([waitForHttpOk(`${origin}/health/live`, 30_000), exited]);
  } catch (error) {
    await stopService(service);
    throw new Error(`the gateway did not start: ${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
  }
  return { url: `${origin}/graphql`, origin, logs, process: service, stop: () => stopService(service) };
}

/** The JSON log lines of a process, parsed (non-JSON lines are skipped). */
export function jsonLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    const start = line.indexOf('{');
    if (start < 0) return [];
    try {
      return [JSON.parse(line.slice(start)) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
