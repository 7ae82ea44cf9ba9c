import { describe, expect, it } from 'vitest';
import { amqpUser, EVENT_PRODUCERS } from '@potluck/messaging';
import { loadConfig as loadGatewayConfig, subscriptionBrokerOf } from '../../gateway/src/config.js';
import { loadConfig as loadCommentsConfig } from '../../subgraphs/comments/src/config.js';
import { loadConfig as loadRecipesConfig } from '../../subgraphs/recipes/src/config.js';
import { environmentOf, loadCompose, readRepoFile } from './stackFiles.js';

/**
 * How docker-compose.yml's RabbitMQ gets its users (docker/rabbitmq/), and how each subgraph
 * and the gateway log in and whom they trust. rabbitmqUsers.int.test.ts runs the definitions
 * on a real broker.
 */
const compose = loadCompose();
const rabbitmq = compose.services.rabbitmq!;
/** Each subgraph, the loadConfig it starts with, and the subgraph whose events it consumes. */
const SUBGRAPHS = {
  recipes: { load: loadRecipesConfig, producer: 'comments' },
  comments: { load: loadCommentsConfig, producer: 'recipes' },
} as const;

function subgraphConfig(name: keyof typeof SUBGRAPHS) {
  return SUBGRAPHS[name].load(environmentOf(compose.services[name]!));
}

/** The gateway's subscription broker as it starts with compose's environment; undefined: no subscriptions. */
const gatewayBroker = () => subscriptionBrokerOf(loadGatewayConfig(environmentOf(compose.services.gateway!)));

/** docker/rabbitmq/<file> mounted into the rabbitmq service: its path in the container. */
function mountOf(file: string): string {
  const mount = rabbitmq.volumes?.find((volume) => volume.split(':')[0] === `./docker/rabbitmq/${file}`);
  expect(mount, `${file} is mounted`).toBeDefined();
  expect(mount!.split(':')[2], `${file} read-only`).toBe('ro');
  return mount!.split(':')[1]!;
}

describe('docker-compose.yml: the broker users', () => {
  it('logs each subgraph in as its own user, trusting only the login of the subgraph it consumes', () => {
    for (const name of ['recipes', 'comments'] as const) {
      const config = subgraphConfig(name);
      expect(amqpUser(config.AMQP_URL), `${name} logs in as itself`).toBe(name);
      const producer = subgraphConfig(SUBGRAPHS[name].producer);
      expect(config.EVENT_PUBLISHERS, `${name} trusts its producer only`).toEqual([amqpUser(producer.AMQP_URL)]);
    }
  });

  it('gives the gateway a broker login of its own for subscriptions, trusting exactly the subgraphs’ logins', () => {
    const broker = gatewayBroker();
    expect(broker, 'the gateway has AMQP_URL: subscriptions are on').toBeDefined();
    expect(amqpUser(broker!.url)).toBe('gateway');
    expect(broker!.prefix).toBe(subgraphConfig('recipes').AMQP_PREFIX);
    const producers = EVENT_PRODUCERS.map((name) => amqpUser(subgraphConfig(name).AMQP_URL));
    expect([...broker!.publishers].sort()).toEqual(producers.sort());
    for (const name of ['gateway', 'recipes', 'comments']) {
      expect(compose.services[name]!.depends_on, `${name} waits for the broker`).toMatchObject({
        rabbitmq: { condition: 'service_healthy' },
      });
    }
  });

  it('gives the broker the services’ prefix and passwords, and a management login of its own', () => {
    const env = environmentOf(rabbitmq);
    for (const name of ['recipes', 'comments'] as const) {
      const config = subgraphConfig(name);
      expect(env.AMQP_PREFIX, name).toBe(config.AMQP_PREFIX);
      expect(env[`${name.toUpperCase()}_AMQP_PASSWORD`], name).toBe(new URL(config.AMQP_URL).password);
    }
    expect(env.AMQP_PREFIX, 'gateway').toBe(gatewayBroker()!.prefix);
    expect(env.GATEWAY_AMQP_PASSWORD, 'gateway').toBe(new URL(gatewayBroker()!.url).password);
    expect(['recipes', 'comments', 'gateway', 'guest', '']).not.toContain(env.BROKER_ADMIN_USER);
    expect(Object.keys(env).filter((variable) => variable.startsWith('RABBITMQ_DEFAULT'))).toEqual([]);
  });

  it('writes the definitions to a tmpfs at every start, where RabbitMQ loads them, then runs the image’s entrypoint', () => {
    expect(rabbitmq.entrypoint).toEqual(['sh', mountOf('entrypoint.sh')]);
    expect(rabbitmq.command).toEqual(['rabbitmq-server']);
    expect(mountOf('stack.conf')).toMatch(/^\/etc\/rabbitmq\/conf\.d\/[\w-]+\.conf$/);
    const entrypoint = readRepoFile('docker/rabbitmq/entrypoint.sh');
    expect(entrypoint).toContain(`sh ${mountOf('definitions.sh')} >`);
    expect(entrypoint).toMatch(/^exec docker-entrypoint\.sh "\$@"$/m);
    const written = /^definitions=(\S+)$/m.exec(entrypoint)?.[1];
    const loaded = /^load_definitions = (\S+)$/m.exec(readRepoFile('docker/rabbitmq/stack.conf'))?.[1];
    expect(loaded).toBe(written);
    expect(rabbitmq.tmpfs, 'the definitions hold passwords: memory only').toContain(
      written!.slice(0, written!.lastIndexOf('/')),
    );
  });
});
