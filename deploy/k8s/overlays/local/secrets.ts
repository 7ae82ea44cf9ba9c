import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devAuth } from '@potluck/identity';
import {
  brokerPermissions,
  DEFAULT_DELIVERY_LIMIT,
  eventTopologyDefinitions,
  type BrokerPermissions,
} from '@potluck/messaging';
import { gatewayBrokerPermissions } from '../../../../gateway/src/subscriptions/streamTopology.js';

/**
 * The local overlay's secrets, fresh random values every run, printed as one JSON list for
 * `kubectl create` (never `apply`: an existing secret is kept, since Postgres read its
 * passwords when its volume was first initialised):
 *
 *   node --import tsx deploy/k8s/overlays/local/secrets.ts | kubectl create -n potluck -f -
 *
 * For a throwaway cluster only; nothing here is for production (docs/deploying.md).
 */
export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; labels: Record<string, string> };
  type: 'Opaque';
  stringData: Record<string, string>;
}

export interface LocalSecretInputs {
  /** The services' AMQP_PREFIX, which names what each broker user may touch. */
  amqpPrefix: string;
  /** A new password on every call: letters and digits only, so it goes into URLs unencoded. */
  password: () => string;
  /** The development keys the gateway signs demo tokens with (`dev-auth.json`). */
  devAuthJson: string;
}

export const SERVICES = { recipes: 'comments', comments: 'recipes' } as const;
export const BROKER_ADMIN = 'potluck-admin';
/** Every service's RabbitMQ user: the subgraphs', and the gateway's for its subscription stream. */
type BrokerLogin = keyof typeof SERVICES | 'gateway';

function secret(name: string, stringData: Record<string, string>): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'potluck' } },
    type: 'Opaque',
    stringData,
  };
}

/**
 * RabbitMQ definitions with the admin, one user per service, the services' events exchanges and
 * their consumers' queues and bindings, as docker/rabbitmq/definitions.sh writes them.
 */
function brokerDefinitions(prefix: string, admin: string, passwords: Record<BrokerLogin, string>) {
  const permissions: Record<BrokerLogin, BrokerPermissions> = {
    recipes: brokerPermissions(prefix, 'recipes', SERVICES.recipes),
    comments: brokerPermissions(prefix, 'comments', SERVICES.comments),
    gateway: gatewayBrokerPermissions(prefix),
  };
  const logins = Object.keys(permissions) as BrokerLogin[];
  return {
    vhosts: [{ name: '/' }],
    users: [
      { name: BROKER_ADMIN, password: admin, tags: ['administrator'] },
      ...logins.map((name) => ({ name, password: passwords[name], tags: [] })),
    ],
    permissions: [
      { user: BROKER_ADMIN, vhost: '/', configure: '.*', write: '.*', read: '.*' },
      ...logins.map((user) => ({ user, vhost: '/', ...permissions[user] })),
    ],
    // The services run with the default EVENT_DELIVERY_LIMIT (the bases set none).
    ...eventTopologyDefinitions(prefix, DEFAULT_DELIVERY_LIMIT),
  };
}

export function localSecrets({ amqpPrefix, password, devAuthJson }: LocalSecretInputs): Secret[] {
  const db = { recipes: password(), comments: password() };
  const amqp = { recipes: password(), comments: password(), gateway: password() };
  const admin = password();
  return [
    secret('potluck-postgres', { password: password() }),
    ...Object.keys(SERVICES).flatMap((name) => {
      const service = name as keyof typeof SERVICES;
      return [
        secret(`${service}-db-app`, {
          username: service,
          password: db[service],
          uri: `postgresql://${service}:${db[service]}@potluck-postgres:5432/${service}`,
        }),
        secret(`${service}-amqp`, { username: service, password: amqp[service] }),
      ];
    }),
    secret('gateway-amqp', { username: 'gateway', password: amqp.gateway }),
    secret('potluck-rabbitmq-admin', { username: BROKER_ADMIN, password: admin }),
    secret('potluck-rabbitmq-definitions', {
      'definitions.json': JSON.stringify(brokerDefinitions(amqpPrefix, admin, amqp), null, 2),
    }),
    secret('potluck-internal-auth', { secret: randomBytes(32).toString('base64url') }),
    secret('potluck-dev-auth', { 'dev-auth.json': devAuthJson }),
  ];
}

/** New development keys, made the way the services make them, in a folder removed afterwards. */
function freshDevAuthJson(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'potluck-dev-auth-'));
  try {
    const { kid, privateJwk, publicJwk, internalSecret } = devAuth(path.join(dir, 'dev-auth.json'));
    return JSON.stringify({ kid, privateJwk, publicJwk, internalSecret }, null, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const secrets = localSecrets({
    amqpPrefix: 'potluck',
    password: () => randomBytes(24).toString('hex'),
    devAuthJson: freshDevAuthJson(),
  });
  process.stdout.write(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets }, null, 2)}\n`);
}
