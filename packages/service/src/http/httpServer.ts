import http from 'node:http';
import { z } from 'zod';
import { ConfigError, envVar } from '../config/config.js';
import { DEFAULT_ADMISSION_LIMITS, type AdmissionLimits } from './admission.js';

/**
 * What bounds one HTTP server: its sockets, so slow or idle clients cannot hold them, and the
 * `/graphql` requests it runs at once, so a burst waits or is refused instead of running all together.
 */
export interface HttpServerLimits {
  /** Time to receive a request's complete headers: a client that trickles them (slowloris) is cut off. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. At least `headersTimeoutMs`. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open; above the idle timeout of callers' pools. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as they arrive. */
  maxConnections: number;
  /** `/graphql` requests running at once and waiting (see `admissionControl`). */
  admission: AdmissionLimits;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above the 30 s idle timeout of the gateway's subgraph pools. undici also trusts the advertised
  // `Keep-Alive: timeout` less 2 s, and drops a connection after one request below that: hence the minimum.
  keepAliveTimeoutMs: 35_000,
  maxConnections: 1000,
  admission: DEFAULT_ADMISSION_LIMITS,
});

const MIN_KEEP_ALIVE_MS = 5000;

/** The variables of every process's HTTP server, gateway and subgraphs alike. */
export const httpServerEnv = {
  HTTP_HEADERS_TIMEOUT_MS: envVar.milliseconds(DEFAULT_HTTP_LIMITS.headersTimeoutMs),
  HTTP_REQUEST_TIMEOUT_MS: envVar.milliseconds(DEFAULT_HTTP_LIMITS.requestTimeoutMs),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: envVar.milliseconds(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs, {
    ms: MIN_KEEP_ALIVE_MS,
    reason: 'or callers cannot keep connections alive',
  }),
  HTTP_MAX_CONNECTIONS: z.coerce
    .number()
    .int('must be a whole number')
    .min(1)
    .default(DEFAULT_HTTP_LIMITS.maxConnections),
  GRAPHQL_MAX_IN_FLIGHT: z.coerce
    .number()
    .int('must be a whole number')
    .min(1)
    .default(DEFAULT_ADMISSION_LIMITS.maxInFlight),
  GRAPHQL_MAX_QUEUED: z.coerce
    .number()
    .int('must be a whole number')
    .min(0)
    .default(DEFAULT_ADMISSION_LIMITS.maxQueued),
  GRAPHQL_QUEUE_TIMEOUT_MS: envVar.milliseconds(DEFAULT_ADMISSION_LIMITS.queueTimeoutMs),
};

export type HttpServerConfig = z.infer<z.ZodObject<typeof httpServerEnv>>;

/** The limits a parsed config sets; refuses a headers timeout longer than the request timeout (Node would throw). */
export function httpLimitsOf(config: HttpServerConfig): HttpServerLimits {
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError([
      `HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS}) (got "${config.HTTP_HEADERS_TIMEOUT_MS}")`,
    ]);
  }
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    admission: {
      maxInFlight: config.GRAPHQL_MAX_IN_FLIGHT,
      maxQueued: config.GRAPHQL_MAX_QUEUED,
      queueTimeoutMs: config.GRAPHQL_QUEUE_TIMEOUT_MS,
    },
  };
}

/**
 * A Node HTTP server with these limits. Node checks the headers and request timeouts only
 * every `connectionsCheckingInterval` (30 s by default, settable only here), so it is tied to
 * the headers timeout: a slow client is cut off within about a quarter more than the timeout.
 */
export function createHttpServer(listener: http.RequestListener, limits: HttpServerLimits): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  return server;
}
