import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { envVar } from '../config/config.js';
import { createHttpServer, DEFAULT_HTTP_LIMITS } from '../http/httpServer.js';
import type { Logger } from '../logger.js';
import { readOperationNames } from './operationNames.js';

/** The metrics variables of every process, gateway and subgraphs alike. */
export const metricsEnv = {
  METRICS_ENABLED: envVar.boolean(true),
  /** Serve `/metrics` on this port (of `HOST`) instead of the service's own. */
  METRICS_PORT: z.coerce.number().int('must be a whole number').min(1).max(65535).optional(),
  /** Operation names, beyond the example operations', that get a label of their own. */
  METRICS_OPERATIONS: envVar.list().default([]),
};

export type MetricsConfig = z.infer<z.ZodObject<typeof metricsEnv>>;

/** One service's metrics: its registry, where `/metrics` is served, and the operation names it labels. */
export interface ServiceMetrics {
  /** Where the service's own metrics are registered. */
  registry: Registry;
  /** The whole exposition, Prometheus text format: the process metrics, then the service's. */
  scrape(): Promise<string>;
  /** A port of its own for `/metrics`; undefined: the service's own port. */
  port: number | undefined;
  knownOperations: readonly string[];
}

let processRegistry: Registry | undefined;

/** prom-client's default metrics (CPU, memory, event loop, GC): the process's, set up once however many services it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The metrics of one service, or undefined when `METRICS_ENABLED` is false (then nothing is
 * measured and there is no `/metrics`). A registry of its own, not prom-client's global one,
 * so several services can share a process (the integration tests) without clashing. The
 * names in `operationsDir` and `METRICS_OPERATIONS` are the operations requests are
 * labelled by (see `operationLabeler`).
 */
export async function createServiceMetrics(
  config: MetricsConfig,
  operationsDir: string | undefined,
): Promise<ServiceMetrics | undefined> {
  if (!config.METRICS_ENABLED) return undefined;
  const registry = new Registry();
  const perProcess = processMetrics();
  const examples = operationsDir ? await readOperationNames(operationsDir) : [];
  return {
    registry,
    scrape: async () => `${await perProcess.metrics()}\n${await registry.metrics()}`,
    port: config.METRICS_PORT,
    knownOperations: [...new Set([...examples, ...config.METRICS_OPERATIONS])],
  };
}

/** Answers a scrape in Prometheus text format; a failing collection is a 500. */
export async function writeMetrics(metrics: ServiceMetrics, res: http.ServerResponse, logger: Logger): Promise<void> {
  try {
    const text = await metrics.scrape();
    res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text);
  } catch (error) {
    logger.error({ err: error }, 'could not collect metrics');
    res.writeHead(500, { 'content-type': 'text/plain' }).end('could not collect metrics\n');
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** A server of its own for `GET /metrics` (`METRICS_PORT`), answering nothing else. */
export async function startMetricsServer(
  metrics: ServiceMetrics,
  host: string,
  port: number,
  logger: Logger,
): Promise<MetricsServer> {
  const server = createHttpServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      void writeMetrics(metrics, res, logger);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
  }, DEFAULT_HTTP_LIMITS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  logger.info({ url: `http://${host}:${address.port}/metrics` }, 'metrics listening');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
