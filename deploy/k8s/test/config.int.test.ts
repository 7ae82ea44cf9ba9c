import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  brokerNames,
  brokerPermissions,
  DEFAULT_DELIVERY_LIMIT,
  EVENT_TYPES,
  eventTopologyDefinitions,
} from '@potluck/messaging';
import { parseEnv } from '@potluck/service';
import { copiedFromContext, runtimeImage } from '../../../docker/test/runtimeImage.js';
import { dockerfileStages, existsInRepo, isDirectoryInRepo } from '../../../docker/test/stackFiles.js';
import { gatewayEnvSchema } from '../../../gateway/src/config.js';
import { gatewayBrokerPermissions } from '../../../gateway/src/subscriptions/streamTopology.js';
import { devTokenEnvSchema } from '../../../scripts/devTokens.js';
import { nodeArgsOf, serviceOfEntry } from '../../../scripts/stack.js';
import { seedEnvSchema } from '../../../scripts/seedConfig.js';
import { commentsEnvSchema } from '../../../subgraphs/comments/src/config.js';
import { recipesEnvSchema } from '../../../subgraphs/recipes/src/config.js';
import { BROKER_ADMIN, localSecrets } from '../overlays/local/secrets.js';
import {
  allContainers,
  byKind,
  entryOf,
  envValue,
  find,
  OVERLAYS,
  potluckWorkloads,
  REPO_ROOT,
  renderOverlay,
  type Container,
  type K8sObject,
  type Workload,
} from './manifests.js';

/**
 * What each Potluck container is given, read as the process reads it: every variable parses
 * with the process's own schema and is one it reads, every file it names is mounted, every
 * URL names a Service on its port, every credential comes from a secret by reference, and
 * every secret referenced exists where it comes from (secrets.ts locally, the operators and
 * the documented `kubectl create secret` steps in production).
 */
const image = runtimeImage(dockerfileStages(), isDirectoryInRepo);

/** The variable schema each entry point parses at start. */
const SCHEMA_OF_ENTRY: Record<string, z.ZodObject> = {
  'gateway/src/main.ts': gatewayEnvSchema,
  'subgraphs/recipes/src/main.ts': recipesEnvSchema,
  'subgraphs/comments/src/main.ts': commentsEnvSchema,
  'subgraphs/recipes/src/commands/parked.ts': recipesEnvSchema,
  'subgraphs/recipes/src/commands/replay.ts': recipesEnvSchema,
  'subgraphs/comments/src/commands/parked.ts': commentsEnvSchema,
  'subgraphs/comments/src/commands/replay.ts': commentsEnvSchema,
  'scripts/seed.ts': seedEnvSchema,
  'scripts/token.ts': devTokenEnvSchema,
};
/** The commands fill in what they do not need (commandEnv in packages/service/src/cli/commands.ts). */
const COMMAND_DEFAULTS = { AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672', DATABASE_URL: 'postgresql://u@127.0.0.1/x' };

/** Each service's RabbitMQ user, by the name of the secret holding its login, with the permissions its code needs. */
const BROKER_USERS = {
  'recipes-amqp': { username: 'recipes', permissions: brokerPermissions('potluck', 'recipes', 'comments') },
  'comments-amqp': { username: 'comments', permissions: brokerPermissions('potluck', 'comments', 'recipes') },
  'gateway-amqp': { username: 'gateway', permissions: gatewayBrokerPermissions('potluck') },
};

/** Stand-ins for secret values, shaped as the real ones are (a CloudNativePG `uri`, a password). */
const SECRET_STAND_INS: Record<string, string> = {
  uri: 'postgresql://owner:pw@database:5432/db',
  username: 'someone',
  password: 'p'.repeat(32),
};

/** A container's environment as the kubelet hands it over: references resolved, `$(NAME)` expanded. */
function environmentOf(container: Container, objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value = variable.value ?? '';
    if (from?.secretKeyRef) value = SECRET_STAND_INS[from.secretKeyRef.key] ?? 's'.repeat(40);
    if (from?.configMapKeyRef)
      value = find(objects, 'ConfigMap', from.configMapKeyRef.name).data[from.configMapKeyRef.key];
    env[variable.name] = value.replace(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? `$(${name})`);
  }
  return env;
}

/** Variables that exist only to build another one through `$(NAME)`. */
const helperVariables = (container: Container) =>
  new Set(
    (container.env ?? []).flatMap((variable) => [...(variable.value ?? '').matchAll(/\$\((\w+)\)/g)].map((m) => m[1]!)),
  );

function secretReferences(workload: Workload): Array<{ name: string; key?: string; where: string }> {
  const fromEnv = allContainers(workload.pod).flatMap((container) =>
    (container.env ?? []).flatMap((variable) =>
      variable.valueFrom?.secretKeyRef
        ? [{ ...variable.valueFrom.secretKeyRef, where: `${workload.name}/${container.name} ${variable.name}` }]
        : [],
    ),
  );
  const fromVolumes = (workload.pod.spec.volumes ?? []).flatMap((volume) =>
    volume.secret
      ? [{ name: volume.secret.secretName as string, where: `${workload.name} volume ${volume.name}` }]
      : [],
  );
  return [...fromEnv, ...fromVolumes];
}

/** Where a file a variable names comes from: the ConfigMap or Secret key mounted at that path. */
function mountedSource(workload: Workload, container: Container, file: string) {
  for (const mount of container.volumeMounts ?? []) {
    if (path.posix.dirname(file) !== mount.mountPath) continue;
    const volume = workload.pod.spec.volumes?.find((candidate) => candidate.name === mount.name);
    const source = volume?.secret?.secretName ?? volume?.configMap?.name;
    if (source)
      return { kind: volume?.secret ? 'Secret' : 'ConfigMap', name: source as string, key: path.posix.basename(file) };
  }
  return undefined;
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s: what the processes are given', (overlay) => {
  const objects = renderOverlay(overlay);
  const workloads = potluckWorkloads(objects);
  const containers = workloads.flatMap((workload) =>
    allContainers(workload.pod).map((container) => ({ workload, container })),
  );

  it('runs only entry points that exist and that the runtime image contains, with node (npm scripts are stripped)', () => {
    for (const { workload, container } of containers) {
      const entry = entryOf(container);
      expect(existsInRepo(entry), `${workload.name}: ${entry}`).toBe(true);
      expect(copiedFromContext(image, entry), `${workload.name}: ${entry} is in the image`).toBe(true);
    }
  });

  it('runs each service with the arguments npm start gives it (the gateway its heap flags)', () => {
    const services = containers.filter(({ container }) => serviceOfEntry(entryOf(container)));
    expect(services.length).toBeGreaterThanOrEqual(3);
    for (const { workload, container } of services) {
      const service = serviceOfEntry(entryOf(container))!;
      expect(container.command, `${workload.name}/${container.name}`).toEqual(['node', ...nodeArgsOf(service)]);
    }
  });

  it('sets every variable each process requires, each valid, and none it does not read', () => {
    for (const { workload, container } of containers) {
      const entry = entryOf(container);
      const where = `${workload.name}/${container.name}`;
      const env = environmentOf(container, objects);
      if (entry === 'scripts/migrateSubgraph.ts') {
        expect(Object.keys(env), where).toEqual(['DATABASE_URL']);
        continue;
      }
      const schema = SCHEMA_OF_ENTRY[entry];
      if (!schema) throw new Error(`${where}: no schema known for ${entry}; add it to SCHEMA_OF_ENTRY`);
      const defaults = entry.includes('/commands/') ? COMMAND_DEFAULTS : {};
      expect(() => parseEnv(schema, { ...image.env, ...defaults, ...env }), where).not.toThrow();
      const unread = Object.keys(env).filter(
        (name) => !(name in schema.shape) && !helperVariables(container).has(name),
      );
      expect(unread, `${where}: variables no schema reads`).toEqual([]);
    }
  });

  it('mounts every file a variable names, from a Secret or ConfigMap key of that name', () => {
    const fileVariables = /(_FILE|_PATH)$/;
    for (const { workload, container } of containers) {
      for (const variable of container.env ?? []) {
        if (!fileVariables.test(variable.name) || !variable.value) continue;
        const source = mountedSource(workload, container, variable.value);
        expect(source, `${workload.name} ${variable.name}: ${variable.value} is mounted`).toBeDefined();
        if (source?.kind === 'ConfigMap')
          expect(Object.keys(find(objects, 'ConfigMap', source.name).data)).toContain(source.key);
      }
    }
  });

  it('points every URL at a Service (or the broker) of this overlay, on a port it serves', () => {
    const ports = new Map<string, number[]>(
      byKind(objects, 'Service').map((service) => [
        service.metadata.name,
        service.spec.ports.map((port: { port: number }) => port.port),
      ]),
    );
    // The RabbitMQ operator names the broker's Service after the cluster; AMQP is on 5672.
    for (const rabbit of byKind(objects, 'RabbitmqCluster')) ports.set(rabbit.metadata.name, [5672]);
    for (const { workload, container } of containers) {
      for (const [name, value] of Object.entries(environmentOf(container, objects))) {
        if (!/^(https?|amqps?):\/\//.test(value) || name.startsWith('AUTH_')) continue;
        const url = new URL(value);
        expect(ports.has(url.hostname), `${workload.name} ${name}: ${url.hostname} is a Service`).toBe(true);
        expect(ports.get(url.hostname), `${workload.name} ${name}`).toContain(Number(url.port));
      }
    }
  });

  it('takes every credential from a secret by reference: no Secret and no literal password in the manifests', () => {
    expect(byKind(objects, 'Secret')).toEqual([]);
    for (const configMap of byKind(objects, 'ConfigMap')) {
      expect(Object.keys(configMap.data ?? {}).filter((key) => /PASSWORD|SECRET|TOKEN|KEY$/i.test(key))).toEqual([]);
    }
    for (const { workload, container } of containers) {
      for (const variable of container.env ?? []) {
        const where = `${workload.name}/${container.name} ${variable.name}`;
        if (/PASSWORD|SECRET$|TOKEN|_KEY$|^DATABASE_URL$/.test(variable.name)) {
          expect(variable.valueFrom?.secretKeyRef, `${where}: from a secret`).toBeDefined();
        }
        const value = variable.value ?? '';
        if (/^[a-z]+:\/\/[^/]*@/.test(value)) {
          expect(new URL(value).password, `${where}: the password is a reference`).toMatch(/^\$\(\w+\)$/);
        }
      }
    }
  });

  it('lets each subgraph apply only the events of the other service’s broker user', () => {
    const subgraphs = workloads.filter(({ pod }) => pod.metadata.labels['app.kubernetes.io/component'] === 'subgraph');
    expect(subgraphs.map(({ name }) => name).sort()).toEqual(['comments', 'recipes']);
    for (const { name, pod } of subgraphs) {
      const other = name === 'recipes' ? 'comments' : 'recipes';
      expect(envValue(pod.spec.containers[0]!, 'EVENT_PUBLISHERS'), name).toBe(other);
      const login = pod.spec.containers[0]!.env?.find((variable) => variable.name === 'AMQP_USERNAME');
      expect(login?.valueFrom?.secretKeyRef.name, `${name} logs in as itself`).toBe(`${name}-amqp`);
    }
  });

  it('gives the gateway a broker login of its own for subscriptions, delivering only the subgraphs’ events', () => {
    const [gateway, ...more] = workloads.filter(({ name }) => name === 'gateway');
    expect(more).toEqual([]);
    const container = gateway!.pod.spec.containers[0]!;
    const env = environmentOf(container, objects);
    expect(env.AMQP_URL, 'subscriptions need AMQP_URL').toMatch(/^amqp:\/\//);
    const login = container.env?.find((variable) => variable.name === 'AMQP_USERNAME');
    expect(login?.valueFrom?.secretKeyRef.name).toBe('gateway-amqp');
    expect(env.EVENT_PUBLISHERS?.split(',').sort()).toEqual(['comments', 'recipes']);
    const subgraph = workloads.find(({ name }) => name === 'recipes')!.pod.spec.containers[0]!;
    expect(env.AMQP_PREFIX).toBe(envValue(subgraph, 'AMQP_PREFIX'));
  });
});

describe('deploy/k8s/overlays/local: its secrets (secrets.ts)', () => {
  const objects = renderOverlay('local');
  const secrets = localSecrets({ amqpPrefix: 'potluck', password: () => 'a1'.repeat(12), devAuthJson: '{}' });
  const byName = new Map(secrets.map((secret) => [secret.metadata.name, secret.stringData]));

  it('creates every secret and key the workloads reference', () => {
    for (const workload of [
      ...potluckWorkloads(objects),
      ...byKind(objects, 'StatefulSet').map((object) => ({
        kind: object.kind,
        name: object.metadata.name,
        object,
        pod: object.spec.template,
      })),
    ]) {
      for (const { name, key, where } of secretReferences(workload)) {
        expect(byName.has(name), `${where}: secret ${name}`).toBe(true);
        if (key) expect(Object.keys(byName.get(name) ?? {}), `${where}: ${name}.${key}`).toContain(key);
      }
    }
  });

  it('gives each service a database URL with its own role and password, on the overlay’s Postgres', () => {
    for (const service of ['recipes', 'comments']) {
      const { uri, username, password } = byName.get(`${service}-db-app`)!;
      const url = new URL(uri!);
      expect([url.username, url.password, url.pathname, url.hostname]).toEqual([
        username,
        password,
        `/${service}`,
        'potluck-postgres',
      ]);
    }
  });

  it('gives RabbitMQ the services’ users with the passwords of their secrets and exactly the permissions the services need', () => {
    const definitions = JSON.parse(byName.get('potluck-rabbitmq-definitions')!['definitions.json']!);
    for (const [secretName, { username, permissions }] of Object.entries(BROKER_USERS)) {
      expect(byName.get(secretName)?.username, secretName).toBe(username);
      const user = definitions.users.find((candidate: { name: string }) => candidate.name === username);
      expect(user.password).toBe(byName.get(secretName)!.password);
      expect(user.tags).toEqual([]);
      const { vhost, configure, write, read } = definitions.permissions.find(
        (permission: { user: string }) => permission.user === username,
      );
      expect(vhost).toBe('/');
      expect({ configure, write, read }, username).toEqual(permissions);
    }
    expect(definitions.users.map((user: { name: string }) => user.name).sort()).toEqual(
      [BROKER_ADMIN, ...Object.values(BROKER_USERS).map(({ username }) => username)].sort(),
    );
  });

  it('declares both events exchanges in the broker definitions, so no consumer waits for its producer', () => {
    const definitions = JSON.parse(byName.get('potluck-rabbitmq-definitions')!['definitions.json']!);
    const exchange = { vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} };
    expect(definitions.exchanges).toEqual([
      { name: 'potluck.recipes.events', ...exchange },
      { name: 'potluck.comments.events', ...exchange },
    ]);
  });

  it('declares the consumers’ queues and bindings as the services do, so no event is published before its queue exists', () => {
    const definitions = JSON.parse(byName.get('potluck-rabbitmq-definitions')!['definitions.json']!);
    expectDefaultDeliveryLimit(objects);
    const { queues, bindings } = eventTopologyDefinitions('potluck', DEFAULT_DELIVERY_LIMIT);
    expect(definitions.queues).toEqual(queues);
    expect(definitions.bindings).toEqual(bindings);
    expect(definitions.bindings).toHaveLength(EVENT_TYPES.length);
  });
});

/** No workload sets EVENT_DELIVERY_LIMIT: the services run with the default the broker's queues are declared with. */
function expectDefaultDeliveryLimit(objects: K8sObject[]): void {
  for (const workload of potluckWorkloads(objects)) {
    const limits = workload.pod.spec.containers.flatMap((container: { env?: Array<{ name: string }> }) =>
      (container.env ?? []).filter(({ name }) => name === 'EVENT_DELIVERY_LIMIT'),
    );
    expect(limits, `${workload.name} runs with the default EVENT_DELIVERY_LIMIT`).toEqual([]);
  }
}

function sortedByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

describe('deploy/k8s/overlays/production: the operators’ resources and the secrets to create', () => {
  const objects = renderOverlay('production');
  const clusters = byKind(objects, 'Cluster');
  const deploying = readFileSync(path.join(REPO_ROOT, 'docs/deploying.md'), 'utf8');
  /** The secrets docs/deploying.md has the operator create with `kubectl create secret`, with their keys. */
  const CREATED_BY_HAND: Record<string, string[]> = {
    'recipes-amqp': ['username', 'password'],
    'comments-amqp': ['username', 'password'],
    'gateway-amqp': ['username', 'password'],
    'potluck-internal-auth': ['secret'],
  };

  it('references only secrets that CloudNativePG writes (<cluster>-app) or that the guide has you create', () => {
    const cnpgApp = new Map(clusters.map((cluster) => [`${cluster.metadata.name}-app`, cluster]));
    for (const workload of potluckWorkloads(objects)) {
      for (const { name, key, where } of secretReferences(workload)) {
        if (cnpgApp.has(name)) {
          expect(key, where).toBe('uri');
          const database = cnpgApp.get(name)!.spec.bootstrap.initdb.database;
          // Workloads are named after their service: recipes, recipes-replay.
          expect(where.startsWith(database), `${where}: ${name} is ${database}'s`).toBe(true);
          continue;
        }
        expect(Object.keys(CREATED_BY_HAND), `${where}: ${name}`).toContain(name);
        if (key) expect(CREATED_BY_HAND[name], where).toContain(key);
      }
    }
    for (const [name, keys] of Object.entries(CREATED_BY_HAND)) {
      const command =
        deploying.split('\n').find((line) => line.includes(`kubectl create secret generic ${name}`)) ?? '';
      expect(command, `docs/deploying.md creates ${name}`).not.toBe('');
      for (const key of keys) expect(command, `docs/deploying.md: ${name}.${key}`).toContain(`--from-literal=${key}=`);
    }
  });

  it('declares both events exchanges as the services do (topic, durable), so no consumer waits for its producer', () => {
    const exchanges = byKind(objects, 'Exchange')
      .map(({ spec }) => spec)
      .sort((a, b) => a.name.localeCompare(b.name));
    const cluster = byKind(objects, 'RabbitmqCluster')[0]!.metadata.name;
    const declared = {
      vhost: '/',
      type: 'topic',
      durable: true,
      autoDelete: false,
      rabbitmqClusterReference: { name: cluster },
    };
    expect(exchanges).toEqual([
      { name: brokerNames('potluck').exchange('comments'), ...declared },
      { name: brokerNames('potluck').exchange('recipes'), ...declared },
    ]);
  });

  it('declares the consumers’ queues and bindings with exactly the arguments the services declare', () => {
    expectDefaultDeliveryLimit(objects);
    const cluster = { name: byKind(objects, 'RabbitmqCluster')[0]!.metadata.name };
    const { queues, bindings } = eventTopologyDefinitions('potluck', DEFAULT_DELIVERY_LIMIT);
    const declared = byKind(objects, 'Queue').map(({ spec }) => {
      const { name, vhost, type, durable, autoDelete = false, arguments: rest = {}, rabbitmqClusterReference } = spec;
      expect(rabbitmqClusterReference, name).toEqual(cluster);
      // The operator turns `type` into the x-queue-type argument.
      return { name, vhost, durable, auto_delete: autoDelete, arguments: { 'x-queue-type': type, ...rest } };
    });
    expect(sortedByName(declared)).toEqual(sortedByName(queues));
    const bound = byKind(objects, 'Binding').map(({ spec }) => {
      const { source, vhost, destination, destinationType, routingKey, arguments: rest = {} } = spec;
      expect(spec.rabbitmqClusterReference).toEqual(cluster);
      return {
        source,
        vhost,
        destination,
        destination_type: destinationType,
        routing_key: routingKey,
        arguments: rest,
      };
    });
    const key = (binding: { destination: string; routing_key: string }) =>
      `${binding.destination} ${binding.routing_key}`;
    expect(bound.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...bindings].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('makes the broker users from those secrets, with exactly the permissions the services need', () => {
    const users = byKind(objects, 'User');
    const permissions = byKind(objects, 'Permission');
    expect(users.map((user) => user.spec.importCredentialsSecret.name).sort()).toEqual(
      Object.keys(BROKER_USERS).sort(),
    );
    for (const [secretName, { username, permissions: needed }] of Object.entries(BROKER_USERS)) {
      const user = users.find((candidate) => candidate.spec.importCredentialsSecret.name === secretName)!;
      const permission = permissions.find((candidate) => candidate.spec.userReference.name === user.metadata.name)!;
      expect(permission.spec.vhost).toBe('/');
      expect(permission.spec.permissions, secretName).toEqual(needed);
      expect(user.spec.rabbitmqClusterReference.name).toBe(byKind(objects, 'RabbitmqCluster')[0]!.metadata.name);
      const command = deploying
        .split('\n')
        .find((line) => line.includes(`kubectl create secret generic ${secretName}`));
      expect(command, `docs/deploying.md: ${secretName} names the user ${username}`).toContain(
        `--from-literal=username=${username} `,
      );
    }
  });
});
