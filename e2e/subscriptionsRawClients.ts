import http from 'node:http';
import { parsePrometheusText, sampleValue, waitFor } from '@potluck/testing';
import WebSocket from 'ws';

/** A WebSocket opened from `localAddress` (any 127.x.y.z works on Linux): the open socket, or the HTTP status that refused it. */
export function openSocket(gatewayUrl: string, localAddress = '127.0.0.1'): Promise<WebSocket | number> {
  const socket = new WebSocket(gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { localAddress });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    socket.once('error', reject);
  });
}

/** Every message a socket receives, as text, and its close code once closed. */
export function watch(socket: WebSocket): { messages: string[]; closed: Promise<number> } {
  const messages: string[] = [];
  socket.on('message', (data) => void messages.push(String(data)));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return { messages, closed };
}

/** An event stream request as raw HTTP: the response, not read past what the caller takes. */
export function postEventStream(
  gatewayUrl: string,
  body: unknown,
  accept = 'text/event-stream',
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.request(gatewayUrl, {
      method: 'POST',
      headers: { accept, 'content-type': 'application/json' },
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Reads a whole (JSON) response. */
export async function textOf(response: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
}

/** One sample of the gateway's `/metrics` (0 when absent). */
export async function metric(gatewayUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const families = parsePrometheusText(await (await fetch(new URL('/metrics', gatewayUrl))).text());
  return sampleValue(families, name, labels) ?? 0;
}

/**
 * Sends a batch of events (`batch` of them, each with `send`) until the gateway logs that it
 * dropped a subscriber that does not read; returns how many events that took.
 */
export async function sendUntilDropped(
  logs: readonly string[],
  batch: number,
  send: () => Promise<void>,
): Promise<number> {
  const logged = logs.length;
  let sent = 0;
  await waitFor(
    async () => {
      await Promise.all(Array.from({ length: batch }, send));
      sent += batch;
      return logs.slice(logged).find((line) => line.includes('dropping a subscriber that does not read'));
    },
    { timeoutMs: 60_000, intervalMs: 0, what: 'the gateway to drop the client' },
  );
  return sent;
}
