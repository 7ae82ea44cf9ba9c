import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UserTokenVerifier } from '@potluck/identity';
import { Broker } from '@potluck/messaging';
import { requestFacts, type Logger, type ReadinessCheck } from '@potluck/service';
import express, { type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { eventStreamHandler, wantsEventStream } from './eventStream.js';
import type { FederatedGateway } from './federatedExecution.js';
import { SubscriptionHub } from './hub.js';
import { subscriptionMetrics } from './metrics.js';
import { createPayloads, type ErrorFormat } from './payloads.js';
import type { SubscriptionLimits } from './prepare.js';
import { createSubscriptionService, type SubscriptionSettings } from './service.js';
import { StreamReader } from './streamReader.js';
import { streamNames, type StreamRetention } from './streamTopology.js';
import { webSocketTransport } from './webSocket.js';

export { gatewayBrokerPermissions, streamNames } from './streamTopology.js';

export interface SubscriptionsOptions {
  /** Undefined: subscriptions are refused with SUBSCRIPTIONS_UNAVAILABLE. */
  broker?: { url: string; prefix: string; publishers: readonly string[]; retention: StreamRetention };
  gateway: FederatedGateway;
  verify: UserTokenVerifier;
  limits: SubscriptionLimits;
  settings: SubscriptionSettings & {
    maxPerConnection: number;
    maxMessageBytes: number;
    maxSocketsPerAddress: number;
    maxSockets: number;
    socketIdleMs: number;
    /** Backlog reads (each a broker stream consumer) at once, gateway-wide. */
    maxCatchUpReaders: number;
  };
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  format: ErrorFormat;
  logger: Logger;
  /** The gateway's `/metrics` registry; undefined when metrics are off. */
  registry?: Registry;
}

export interface Subscriptions {
  /** The SSE route, before Apollo's `/graphql`: it runs `guard` (the token check) itself. */
  routes(guard: RequestHandler, bodyLimitBytes: number): (app: Express) => void;
  /** For the HTTP server's `upgrade` event: WebSockets at `/graphql`. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  readinessChecks: ReadinessCheck[];
  /** The live reader of the event stream, for others that follow every event (the entity cache); none without a broker. */
  events: Pick<StreamReader, 'onEntry' | 'onLink' | 'watchLiveness'> | undefined;
  /** How many subscriptions are open, both transports. */
  active(): number;
  /** Completes every subscription, closes the sockets and the broker connection. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Like Apollo's CSRF prevention: a body a cross-site form could send (text/plain, a form)
 * never starts a subscription.
 */
const jsonOnly: RequestHandler = (req, res, next) => {
  if (req.is('application/json')) return next();
  res.status(415).json({
    errors: [
      {
        message: 'Send the subscription as JSON (content-type: application/json)',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  });
};

/**
 * Subscriptions, fed by the event stream: the broker reader, the fan-out hub, payload
 * resolution through the gateway, and the two transports (WebSocket and Server-Sent Events).
 */
export async function startSubscriptions(options: SubscriptionsOptions): Promise<Subscriptions> {
  const { logger } = options;
  const broker = options.broker && new Broker({ url: options.broker.url, logger });
  const reader =
    broker &&
    options.broker &&
    new StreamReader({
      broker,
      names: streamNames(options.broker.prefix),
      retention: options.broker.retention,
      trust: { publishers: options.broker.publishers },
      logger,
    });
  const hub = reader && new SubscriptionHub(reader, logger, options.settings.maxCatchUpReaders);
  const service = createSubscriptionService({
    hub,
    payloads: createPayloads({ execute: options.gateway.execute, format: options.format }),
    apiSchema: options.gateway.apiSchema,
    limits: options.limits,
    settings: options.settings,
    format: options.format,
    logger,
    metrics: subscriptionMetrics(options.registry, { connected: () => !!reader && reader.problem === undefined }),
    ...(!hub && { unavailable: 'Subscriptions need a broker: this gateway has no AMQP_URL' }),
  });
  const ws = webSocketTransport({
    service,
    verify: options.verify,
    allowedHosts: options.allowedHosts,
    corsOrigins: options.corsOrigins,
    maxPerConnection: options.settings.maxPerConnection,
    maxMessageBytes: options.settings.maxMessageBytes,
    maxSocketsPerAddress: options.settings.maxSocketsPerAddress,
    maxSockets: options.settings.maxSockets,
    socketIdleMs: options.settings.socketIdleMs,
    logger,
  });
  const sse = eventStreamHandler({ service, logger });
  await broker?.start();
  const readinessChecks: ReadinessCheck[] = reader
    ? [
        {
          name: 'subscriptions',
          // Queries and mutations do not need the stream: its outage makes the gateway degraded, not unready.
          required: false,
          async check() {
            if (reader.problem) throw new Error(reader.problem);
            return {
              stream: streamNames(options.broker!.prefix).stream,
              position: reader.current,
              active: service.active,
            };
          },
        },
      ]
    : [];
  return {
    routes: (guard, bodyLimitBytes) => (app) => {
      app.post(
        '/graphql',
        (req, _res, next) => {
          if (!wantsEventStream(req)) return next('route');
          // A stream lasts as long as the subscription: it stays out of the request-duration histogram.
          requestFacts(req).startedAt = undefined;
          next();
        },
        jsonOnly,
        guard,
        express.json({ limit: bodyLimitBytes }),
        sse,
      );
    },
    handleUpgrade: (request, socket, head) => ws.handleUpgrade(request, socket, head),
    readinessChecks,
    events: reader,
    active: () => service.active,
    async stop(graceMs) {
      await service.stop(graceMs);
      await ws.close();
      await broker?.close();
    },
  };
}
