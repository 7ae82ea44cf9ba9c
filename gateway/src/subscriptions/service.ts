import type { Viewer } from '@potluck/identity';
import type { Logger } from '@potluck/service';
import {
  GraphQLError,
  parse,
  type ExecutionResult,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { addressSlots } from './addressSlots.js';
import { SubscriptionEnded, tokenExpired } from './ended.js';
import type { SubscriptionHub } from './hub.js';
import type { SubscriptionMetrics, Transport, UpgradeRefusal } from './metrics.js';
import type { ErrorFormat, Payloads } from './payloads.js';
import { prepareSubscription, SubscriptionRefused, type SubscriptionLimits } from './prepare.js';
import { openSubscription, SHUTTING_DOWN } from './subscription.js';

/** A client's subscribe request, as both transports receive it. */
export interface SubscribeParams {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/** What a transport knows of the client's connection. */
export interface ClientConnection {
  transport: Transport;
  viewer: Viewer;
  /** When the viewer's token expires (epoch ms); undefined for an anonymous viewer. */
  expiresAt: number | undefined;
  /** The client's IP address, for the per-address limit. */
  address: string;
  /** Bytes written to the connection and not yet read by the client. */
  unsent(): number;
  /** Cuts the connection. */
  drop(): void;
}

export type Opened =
  | { ok: true; document: DocumentNode; results: AsyncIterableIterator<ExecutionResult>; release(): void }
  | { ok: false; errors: GraphQLFormattedError[] };

export interface SubscriptionSettings {
  maxPerAddress: number;
  maxUnsentBytes: number;
  maxTokens: number;
}

const refusal = (code: string, message: string) => [{ message, extensions: { code } }];

/**
 * What both transports share: parse and check a subscribe request, count it against its
 * address, and open its result stream on the hub. A refusal comes back as coded errors.
 */
export function createSubscriptionService(options: {
  /** Undefined without a broker: then every subscription is refused with `unavailable`. */
  hub: SubscriptionHub | undefined;
  payloads: Payloads;
  apiSchema(): GraphQLSchema | undefined;
  limits: SubscriptionLimits;
  settings: SubscriptionSettings;
  format: ErrorFormat;
  logger: Logger;
  metrics: SubscriptionMetrics;
  /** Undefined when subscriptions are served; otherwise why not (no broker configured). */
  unavailable?: string;
}) {
  const perAddress = addressSlots(options.settings.maxPerAddress);
  /** Each open subscription, settled when its transport releases it. */
  const open = new Map<AsyncIterableIterator<ExecutionResult>, PromiseWithResolvers<void>>();
  let stopping = false;
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((error) => options.format(error.toJSON(), error));

  function subscribe(params: SubscribeParams, client: ClientConnection): Opened {
    const { hub } = options;
    if (!hub || options.unavailable) {
      const reason = options.unavailable ?? 'Subscriptions are not served here';
      return { ok: false, errors: refusal('SUBSCRIPTIONS_UNAVAILABLE', reason) };
    }
    if (stopping) return { ok: false, errors: refusal('SHUTTING_DOWN', 'The gateway is shutting down') };
    const schema = options.apiSchema();
    if (!schema) return { ok: false, errors: refusal('SUBSCRIPTIONS_UNAVAILABLE', 'The gateway has no schema yet') };
    if (client.expiresAt !== undefined && client.expiresAt <= Date.now()) {
      const { message, code, extensions } = tokenExpired(client.expiresAt);
      return { ok: false, errors: [{ message, extensions: { ...extensions, code } }] };
    }
    if (typeof params.query !== 'string')
      return { ok: false, errors: refusal('BAD_REQUEST', 'query must be a string') };
    let prepared;
    try {
      const document = parse(params.query, { maxTokens: options.settings.maxTokens });
      prepared = prepareSubscription(
        schema,
        {
          document,
          operationName: typeof params.operationName === 'string' ? params.operationName : undefined,
          variables: typeof params.variables === 'object' ? (params.variables as Record<string, unknown>) : undefined,
        },
        options.limits,
      );
    } catch (error) {
      if (error instanceof SubscriptionRefused) return { ok: false, errors: formatAll(error.errors) };
      if (error instanceof GraphQLError) {
        const parseError = new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
        return { ok: false, errors: formatAll([parseError]) };
      }
      throw error;
    }
    const release = perAddress.acquire(client.address);
    if (!release) {
      options.metrics.limited();
      return {
        ok: false,
        errors: refusal(
          'TOO_MANY_SUBSCRIPTIONS',
          `At most ${options.settings.maxPerAddress} subscriptions at a time from one address`,
        ),
      };
    }
    const finished = options.metrics.opened(prepared.filter.field.name, client.transport);
    let endedWith: string | undefined;
    const results = openSubscription({
      hub,
      payloads: options.payloads,
      prepared,
      viewer: client.viewer,
      logger: options.logger,
      unsent: client.unsent,
      maxUnsentBytes: options.settings.maxUnsentBytes,
      drop: client.drop,
      expiresAt: client.expiresAt,
      observer: {
        delivered: (occurredAt) => options.metrics.delivered(prepared.filter.field.name, occurredAt),
        ended: (reason) => void (endedWith ??= reason.code),
      },
    });
    open.set(results, Promise.withResolvers());
    return {
      ok: true,
      document: prepared.document,
      results,
      release() {
        open.get(results)?.resolve();
        open.delete(results);
        release();
        finished(endedWith);
      },
    };
  }

  return {
    subscribe,
    /** Counts a connection of a transport open; the returned function counts it closed. */
    connected: (transport: Transport) => options.metrics.connected(transport),
    /** Counts a subscription a transport refused for its own limit. */
    limited: () => options.metrics.limited(),
    /** Counts a WebSocket upgrade refused before the socket opened. */
    upgradeRefused: (reason: UpgradeRefusal) => options.metrics.upgradeRefused(reason),
    /** Subscriptions open now, on both transports. */
    get active() {
      return open.size;
    },
    /**
     * Ends every subscription with `complete` after what it has in hand (at most `graceMs`),
     * and refuses new ones.
     */
    async stop(graceMs: number): Promise<void> {
      stopping = true;
      const drained = Promise.all([...open.values()].map((released) => released.promise));
      await options.hub?.closeAll(new SubscriptionEnded(SHUTTING_DOWN, 'The gateway is shutting down', true));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
