import { describe, expect, it } from 'vitest';
import { byKind, OVERLAYS, renderOverlay, selects } from './manifests.js';
import { canConnect, INGRESS_CONTROLLER, OUTSIDE, podsOf, PROMETHEUS, type Endpoint } from './networkPolicy.js';

/**
 * The network policies of each overlay, read as the API server reads them (networkPolicy.ts):
 * only the gateway reaches the subgraphs, only the subgraphs (and their commands) reach
 * Postgres, each only its own database where there is one per service, and only they and the
 * gateway (its subscription stream) reach RabbitMQ.
 */
type Connection = [from: string, to: string, port: number];

describe.each(OVERLAYS)('deploy/k8s/overlays/%s: network policies', (overlay) => {
  const objects = renderOverlay(overlay);
  const pods = podsOf(objects);
  const pod = (name: string): Endpoint => {
    const endpoint = pods.get(name);
    if (!endpoint) throw new Error(`${overlay}: no pod ${name}`);
    return endpoint;
  };
  const databaseOf = (service: string) => (overlay === 'local' ? 'potluck-postgres' : `${service}-db`);
  const connect = ([from, to, port]: Connection) => canConnect(objects, pod(from), pod(to), port);

  it('denies every pod of the namespace all traffic in and out unless a policy allows it', () => {
    const denyAll = byKind(objects, 'NetworkPolicy').filter(
      (policy) =>
        Object.keys(policy.spec.podSelector).length === 0 &&
        [...policy.spec.policyTypes].sort().join() === 'Egress,Ingress' &&
        !policy.spec.ingress &&
        !policy.spec.egress,
    );
    expect(denyAll.length).toBe(1);
    for (const [name, endpoint] of pods)
      expect(selects(denyAll[0]!.spec.podSelector, endpoint.labels!), name).toBe(true);
  });

  it('lets the gateway, and only the gateway, reach the subgraphs', () => {
    const allowed: Connection[] = [
      ['gateway', 'recipes', 4001],
      ['gateway', 'comments', 4002],
    ];
    for (const connection of allowed) expect(connect(connection), connection.join(' → ')).toBe(true);
    const denied: Connection[] = [
      ['recipes', 'comments', 4002],
      ['comments', 'recipes', 4001],
      ['recipes-parked', 'recipes', 4001],
      ['comments-replay', 'recipes', 4001],
    ];
    for (const connection of denied) expect(connect(connection), connection.join(' → ')).toBe(false);
    for (const port of [4001, 4002]) {
      for (const name of ['recipes', 'comments']) {
        expect(canConnect(objects, OUTSIDE, pod(name), port), `outside → ${name}`).toBe(false);
        expect(canConnect(objects, INGRESS_CONTROLLER, pod(name), port), `ingress → ${name}`).toBe(false);
      }
    }
  });

  it('lets clients reach the gateway, and Prometheus only the metrics ports', () => {
    expect(canConnect(objects, INGRESS_CONTROLLER, pod('gateway'), 4000)).toBe(true);
    for (const name of ['gateway', 'recipes', 'comments']) {
      expect(canConnect(objects, PROMETHEUS, pod(name), 9464), `prometheus → ${name} metrics`).toBe(true);
    }
    expect(canConnect(objects, PROMETHEUS, pod('recipes'), 4001), 'prometheus → recipes API').toBe(false);
  });

  it('lets only the subgraphs and their commands reach their database, and them and the gateway the broker', () => {
    const allowed: Connection[] = [
      ['recipes', databaseOf('recipes'), 5432],
      ['comments', databaseOf('comments'), 5432],
      ['recipes-replay', databaseOf('recipes'), 5432],
      ['comments-replay', databaseOf('comments'), 5432],
      ['recipes', 'potluck-rabbitmq', 5672],
      ['comments', 'potluck-rabbitmq', 5672],
      ['recipes-parked', 'potluck-rabbitmq', 5672],
      ['comments-parked-requeue', 'potluck-rabbitmq', 5672],
      ['gateway', 'potluck-rabbitmq', 5672],
    ];
    for (const connection of allowed) expect(connect(connection), connection.join(' → ')).toBe(true);
    const denied: Connection[] = [
      ['gateway', databaseOf('recipes'), 5432],
      ['gateway', databaseOf('comments'), 5432],
      ['gateway', 'potluck-rabbitmq', 15672],
      ['recipes-parked', databaseOf('recipes'), 5432],
      ['recipes-replay', 'potluck-rabbitmq', 5672],
    ];
    for (const connection of denied) expect(connect(connection), connection.join(' → ')).toBe(false);
    expect(canConnect(objects, OUTSIDE, pod(databaseOf('recipes')), 5432), 'outside → postgres').toBe(false);
    expect(canConnect(objects, OUTSIDE, pod('potluck-rabbitmq'), 5672), 'outside → rabbitmq').toBe(false);
  });

  it('keeps the subgraphs from calling out of the cluster', () => {
    for (const name of ['recipes', 'comments', 'recipes-parked']) {
      expect(canConnect(objects, pod(name), OUTSIDE, 443), `${name} → outside`).toBe(false);
    }
  });

  if (overlay === 'production') {
    it('keeps each service out of the other’s database, and lets the gateway fetch the identity provider’s keys', () => {
      expect(connect(['recipes', 'comments-db', 5432])).toBe(false);
      expect(connect(['comments', 'recipes-db', 5432])).toBe(false);
      expect(connect(['comments-replay', 'recipes-db', 5432])).toBe(false);
      expect(canConnect(objects, pod('gateway'), OUTSIDE, 443)).toBe(true);
    });
  }

  if (overlay === 'local') {
    it('lets the seed job call the gateway, and the token job nothing at all', () => {
      expect(connect(['seed', 'gateway', 4000])).toBe(true);
      expect(connect(['seed', 'recipes', 4001])).toBe(false);
      for (const [to, port] of [
        ['gateway', 4000],
        ['potluck-postgres', 5432],
        ['potluck-rabbitmq', 5672],
      ] as const) {
        expect(connect(['token', to, port]), `token → ${to}`).toBe(false);
      }
    });
  }
});
