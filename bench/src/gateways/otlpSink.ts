import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the services sent the sink: export requests and their bytes (protobuf, not decoded). */
export interface SinkStats {
  exports: number;
  bytes: number;
}

/**
 * A local OTLP/HTTP endpoint that takes every export and keeps nothing, as a collector on
 * the same machine would cost the services: `BENCH_TRACING=true` points Potluck's three
 * services at it, so the benchmark measures producing, batching and sending spans, not a backend.
 */
export async function startOtlpSink() {
  const stats: SinkStats = { exports: 0, bytes: 0 };
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (stats.bytes += chunk.length));
    request.on('end', () => {
      stats.exports += 1;
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: (): SinkStats => ({ ...stats }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
