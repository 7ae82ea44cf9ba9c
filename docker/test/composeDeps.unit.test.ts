import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { testAmqpUrl, testServerUrl } from '@potluck/testing';
import { loadBenchConfig } from '../../bench/src/gateways/config.js';
import { loadStackConfig } from '../../scripts/stackConfig.js';
import { interpolateAll, requiredVariables } from './interpolate.js';
import { environmentOf, existsInRepo, loadCompose, readRepoFile, type ComposeFile } from './stackFiles.js';

/**
 * docker-compose.deps.yml: only Postgres and RabbitMQ, for `npm start` and `npm test` on a
 * machine without them. Checked statically, like docker-compose.yml (`.ci/run` also runs
 * `docker-compose config` on it): what it runs must be exactly what the local defaults of
 * npm start, the tests and the benchmarks connect to, and reachable from this machine only.
 */
const DEPS_FILE = 'docker-compose.deps.yml';
const text = readRepoFile(DEPS_FILE);
const deps = interpolateAll(parse(text, { merge: true }), {}) as ComposeFile;
const postgres = deps.services.postgres!;
const rabbitmq = deps.services.rabbitmq!;

/** The host port the file publishes for a container port, and the address it binds. */
function published(service: ComposeFile['services'][string], containerPort: number) {
  const mappings = (service.ports ?? []).map((port) => String(port).split(':'));
  const mapping = mappings.find((parts) => Number(parts.at(-1)) === containerPort);
  return mapping && { address: mapping.length === 3 ? mapping[0] : undefined, port: Number(mapping.at(-2)) };
}

/** The Postgres and AMQP URLs every local tool uses when no variable is set. */
function localDefaults(): { postgres: string[]; amqp: string[] } {
  vi.stubEnv('TEST_DATABASE_URL', undefined);
  vi.stubEnv('TEST_AMQP_URL', undefined);
  const stack = loadStackConfig({});
  const bench = loadBenchConfig({});
  return {
    postgres: [stack.RECIPES_DATABASE_URL, stack.COMMENTS_DATABASE_URL, testServerUrl(), bench.DATABASE_SERVER_URL],
    amqp: [stack.AMQP_URL, testAmqpUrl(), bench.AMQP_URL],
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('docker-compose.deps.yml: Postgres and RabbitMQ for npm start and the tests', () => {
  it('runs exactly Postgres and RabbitMQ, from the images the full stack uses, and builds nothing', () => {
    const full = loadCompose();
    expect(Object.keys(deps.services).sort()).toEqual(['postgres', 'rabbitmq']);
    expect(postgres.image).toBe(full.services.postgres!.image);
    expect(rabbitmq.image).toBe(full.services.rabbitmq!.image);
    for (const service of Object.values(deps.services)) expect(service.build).toBeUndefined();
  });

  it('needs no .env: it reads no variable', () => {
    expect(requiredVariables(text)).toEqual([]);
    expect(text).not.toMatch(/\$\{?[A-Za-z_]/);
  });

  it('publishes Postgres (5432), AMQP (5672) and the management UI (15672), on 127.0.0.1 only', () => {
    const ports = Object.entries(deps.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name} ${String(port)}`),
    );
    expect(ports.sort()).toEqual([
      'postgres 127.0.0.1:5432:5432',
      'rabbitmq 127.0.0.1:15672:15672',
      'rabbitmq 127.0.0.1:5672:5672',
    ]);
  });

  it('serves Postgres where the local defaults look: that host and port, their user, no password needed', () => {
    const env = environmentOf(postgres);
    for (const value of localDefaults().postgres) {
      const url = new URL(value);
      expect(['127.0.0.1', 'localhost'], value).toContain(url.hostname);
      expect(Number(url.port || 5432), value).toBe(published(postgres, 5432)?.port);
      expect(url.username, value).toBe(env.POSTGRES_USER ?? 'postgres');
      expect(url.password, `${value}: no password, so Postgres must trust`).toBe('');
    }
    expect(env.POSTGRES_HOST_AUTH_METHOD).toBe('trust');
  });

  it('serves RabbitMQ where the local defaults look, with guest allowed through the published port', () => {
    for (const value of localDefaults().amqp) {
      const url = new URL(value);
      expect(['127.0.0.1', 'localhost'], value).toContain(url.hostname);
      expect(Number(url.port || 5672), value).toBe(published(rabbitmq, 5672)?.port);
      expect(`${url.username}:${url.password}`, value).toBe('guest:guest');
    }
    // With RABBITMQ_DEFAULT_USER set the broker would create that user instead of guest.
    expect(Object.keys(environmentOf(rabbitmq)).filter((name) => name.startsWith('RABBITMQ_DEFAULT'))).toEqual([]);
    // guest logs in only from localhost unless loopback_users says otherwise; a published port is not localhost.
    const configs = (rabbitmq.volumes ?? [])
      .map((volume) => volume.split(':'))
      .filter(([, target]) => target?.startsWith('/etc/rabbitmq/conf.d/') && target.endsWith('.conf'));
    expect(configs).toHaveLength(1);
    const [source] = configs[0]!;
    expect(existsInRepo(source!), source).toBe(true);
    const settings = readRepoFile(source!)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(settings).toContain('loopback_users.guest = false');
  });

  it('waits on healthchecks, restarts, and keeps its data on volumes of its own', () => {
    const fullVolumes = Object.keys(loadCompose().volumes ?? {});
    for (const [name, service] of Object.entries(deps.services)) {
      expect(service.healthcheck?.test?.length, `${name}: healthcheck`).toBeGreaterThan(0);
      expect(service.restart, name).toBe('unless-stopped');
      for (const source of (service.volumes ?? []).map((volume) => volume.split(':')[0]!)) {
        if (source.startsWith('.')) expect(existsInRepo(source), `${name}: ${source}`).toBe(true);
        else {
          expect(Object.keys(deps.volumes ?? {}), `${name}: ${source} declared`).toContain(source);
          expect(fullVolumes, `${name}: ${source} is not a volume of the full stack`).not.toContain(source);
        }
      }
    }
  });

  it('is validated by CI with docker-compose, as docker-compose.yml is', () => {
    expect(readRepoFile('.ci/run')).toMatch(/^docker-compose -f docker-compose\.deps\.yml config --quiet$/m);
  });
});
