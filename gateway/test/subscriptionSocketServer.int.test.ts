import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@potluck/service';
import { handleProtocols, makeServer } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { serveSockets, type SocketExtra } from '../src/subscriptions/socketServer.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** graphql-ws on a real socket whose `onSubscribe` fails with an internal message. */
async function failingServer(errors: unknown[]): Promise<string> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, handleProtocols });
  const logger = { error: (fields: { err: unknown }) => void errors.push(fields.err), warn: () => undefined };
  const server = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    onSubscribe: () => {
      throw new Error('secret internal detail: db password wrong');
    },
  });
  serveSockets(server, wss, (socket, request) => ({ socket, request }), logger as unknown as Logger);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => http.close(resolve));
  });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe('the WebSocket wiring', () => {
  it('logs an internal error through the logger and tells the client only "Internal server error"', async () => {
    const errors: unknown[] = [];
    const socket = new WebSocket(await failingServer(errors), 'graphql-transport-ws');
    const closed = new Promise<[number, string]>((resolve) =>
      socket.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { x }' } }));
    expect(await closed).toEqual([4500, 'Internal server error']);
    expect(String(errors[0])).toContain('secret internal detail');
  });
});
