import { describe, expect, it } from 'vitest';
import { isAllowedHost } from '@potluck/service';
import { nodeArgsOf, serviceOfEntry } from '../../scripts/stack.js';
import { configOf, entryOf, isApp, isJob } from './appServices.js';
import { requiredVariables } from './interpolate.js';
import { copiedFromContext, runtimeImage } from './runtimeImage.js';
import {
  COMPOSE_FILE,
  dockerfileStages,
  envExample,
  environmentOf,
  existsInRepo,
  isDirectoryInRepo,
  loadCompose,
  readRepoFile,
} from './stackFiles.js';

/** The ports the infrastructure images listen on inside the network. */
const IMAGE_PORTS: Record<string, number> = { postgres: 5432, rabbitmq: 5672 };

/**
 * Images with nothing to run a healthcheck with (FROM scratch: no shell, no HTTP client), and
 * how their health shows instead. Nobody may depend on them being healthy.
 */
const UNPROBED_IMAGES: Record<string, string> = {
  'otel/opentelemetry-collector': 'Prometheus scrapes its own metrics: up{job="otel-collector"}',
};

/**
 * Standard OpenTelemetry variables, read at start by the tracing setup before and apart from
 * the service's loadConfig: where traces go, empty (no export) unless .env sets it.
 */
const TRACING_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT'];

const compose = loadCompose();
const services = Object.entries(compose.services);
/** What `docker compose up` runs without a profile: the demo stack itself. */
const defaultServices = services.filter(([, service]) => !service.profiles?.length);
const stages = dockerfileStages();
const image = runtimeImage(stages, isDirectoryInRepo);

const appServices = services.filter(([, service]) => isApp(service));
const imageName = (reference?: string) => reference?.split(':')[0] ?? '';

function portOf(name: string): number {
  const service = compose.services[name];
  if (!service) throw new Error(`no service named ${name}`);
  if (isApp(service)) return Number(configOf(name, service).PORT);
  const port = IMAGE_PORTS[imageName(service.image)];
  if (!port) throw new Error(`${name}: unknown port of image ${service.image}`);
  return port;
}

describe('docker-compose.yml: the services', () => {
  it('runs Postgres (a current major), RabbitMQ 4 with the management UI, recipes, comments and the gateway', () => {
    const images = Object.fromEntries(services.map(([name, service]) => [name, service.image]));
    expect(Number(images.postgres?.match(/^postgres:(\d+)/)?.[1])).toBeGreaterThanOrEqual(18);
    expect(images.rabbitmq).toMatch(/^rabbitmq:4[.\d]*-management/);
    expect(appServices.map(([, service]) => entryOf(service.command))).toEqual(
      expect.arrayContaining([
        'subgraphs/recipes/src/main.ts',
        'subgraphs/comments/src/main.ts',
        'gateway/src/main.ts',
      ]),
    );
  });

  it('builds every app service from the one image', () => {
    const builds = appServices.map(([, service]) => JSON.stringify([service.build, service.image]));
    expect(new Set(builds).size).toBe(1);
    expect(appServices[0]![1].build?.context).toBe('.');
  });

  it('gives every long-running service a healthcheck and a restart policy; jobs neither', () => {
    for (const [name, service] of services) {
      expect(service.restart, `${name}: restart policy`).toMatch(/^(no|always|unless-stopped|on-failure(:\d+)?)$/);
      if (isJob(service)) expect(service.healthcheck, `${name} is a job`).toEqual({ disable: true });
      else if (imageName(service.image) in UNPROBED_IMAGES) expect(service.healthcheck, name).toBeUndefined();
      else expect(service.healthcheck?.test?.length, `${name}: healthcheck`).toBeGreaterThan(0);
    }
  });

  it('makes every dependency wait until the service it needs is healthy', () => {
    for (const [name, service] of services) {
      const dependsOn = service.depends_on ?? {};
      expect(Array.isArray(dependsOn), `${name}: depends_on needs conditions, not a list`).toBe(false);
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        const target = compose.services[dependency];
        expect(target && !isJob(target) && target.healthcheck?.test, `${name} → ${dependency}: healthy`).toBeTruthy();
      }
    }
  });

  it('publishes exactly the gateway (4000) and the RabbitMQ management UI (15672), on localhost, without a profile', () => {
    const published = defaultServices.flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name} ${String(port)}`),
    );
    expect(published.sort()).toEqual(['gateway 127.0.0.1:4000:4000', 'rabbitmq 127.0.0.1:15672:15672']);
    for (const [name, service] of services) expect(service.network_mode, name).toBeUndefined();
  });

  it('keeps the data of Postgres and RabbitMQ on named volumes, where each image stores it', () => {
    const dataDirs: Record<string, string> = { postgres: '/var/lib/postgresql', rabbitmq: '/var/lib/rabbitmq' };
    for (const [name, target] of Object.entries(dataDirs)) {
      const mount = compose.services[name]?.volumes?.find((volume) => volume.split(':')[1] === target);
      const volume = mount?.split(':')[0];
      expect(volume, `${name}: a volume at ${target}`).toMatch(/^[a-z][\w-]*$/);
      expect(Object.keys(compose.volumes ?? {}), `${name}: volume declared`).toContain(volume);
    }
    for (const [name, service] of services) {
      for (const source of (service.volumes ?? []).map((volume) => volume.split(':')[0]!)) {
        if (source.startsWith('.')) expect(existsInRepo(source), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
    }
  });
});

describe('docker-compose.yml: configuration', () => {
  it('sets every variable each process requires, so each loadConfig accepts its environment', () => {
    for (const [name, service] of appServices) {
      expect(() => configOf(name, service), name).not.toThrow();
    }
  });

  it('sets no variable a process does not read (a typo would be ignored silently)', () => {
    for (const [name, service] of appServices) {
      const read = [...Object.keys(configOf(name, service)), ...TRACING_VARIABLES];
      expect(read, name).toEqual(expect.arrayContaining(Object.keys(environmentOf(service))));
    }
  });

  it('points every URL at a service of this file, on the port that service listens on', () => {
    for (const [name, service] of services) {
      for (const [variable, value] of Object.entries(environmentOf(service))) {
        if (!/^[a-z]+:\/\//.test(value)) continue;
        const url = new URL(value);
        expect(Object.keys(compose.services), `${name} ${variable}`).toContain(url.hostname);
        expect(Number(url.port), `${name} ${variable}`).toBe(portOf(url.hostname));
      }
    }
  });

  it('lets whoever calls the gateway through its host check: the seed job by service name, a browser at localhost', () => {
    const allowed = configOf('gateway', compose.services.gateway!).ALLOWED_HOSTS as string[];
    const callers = services.flatMap(([name, service]) =>
      Object.entries(environmentOf(service))
        .filter(([, value]) => /^[a-z]+:\/\//.test(value) && new URL(value).hostname === 'gateway')
        .map(([variable, value]) => ({ caller: `${name} ${variable}`, host: new URL(value).host })),
    );
    expect(callers.length, 'the seed job calls the gateway').toBeGreaterThan(0);
    for (const { caller, host } of callers) expect(isAllowedHost(host, allowed), caller).toBe(true);
    expect(isAllowedHost('localhost:4000', allowed), 'the published port').toBe(true);
  });

  it('applies migrations before a subgraph serves (no separate migration job)', () => {
    const migrating = appServices.filter(([name, service]) => 'MIGRATE_ON_START' in configOf(name, service));
    expect(migrating.map(([name]) => name).sort()).toEqual(['comments', 'recipes']);
    for (const [name, service] of migrating) expect(configOf(name, service).MIGRATE_ON_START, name).toBe(true);
  });

  it('takes every credential from .env, which .env.example documents and git and docker ignore', () => {
    expect(Object.keys(envExample())).toEqual(expect.arrayContaining(requiredVariables(readRepoFile(COMPOSE_FILE))));
    // Interpolate each variable as a marker: a credential must be exactly one variable, never a literal.
    const markers = new Proxy({}, { get: (_target, name) => `__${String(name)}__` });
    for (const [name, service] of Object.entries(loadCompose(markers).services)) {
      for (const [variable, value] of Object.entries(environmentOf(service))) {
        if (/PASS|SECRET|TOKEN/.test(variable)) expect(value, `${name} ${variable}`).toMatch(/^__\w+__$/);
        if (!/^[a-z]+:\/\/[^/]*@/.test(value)) continue;
        expect(new URL(value).password, `${name} ${variable}: password`).toMatch(/^__\w+__$/);
      }
    }
    expect(readRepoFile('.gitignore').split('\n')).toContain('.env');
  });
});

describe('docker-compose.yml: what the services run exists in the image', () => {
  it('runs entry points and healthchecks that the runtime image contains', () => {
    for (const [name, service] of appServices) {
      const files = [entryOf(service.command)];
      const healthcheck = service.healthcheck?.test as string[] | undefined;
      if (!isJob(service)) {
        expect(healthcheck?.[0], `${name}: healthcheck in exec form`).toBe('CMD');
        files.push(entryOf(healthcheck!.slice(1)));
      }
      for (const file of files) {
        expect(existsInRepo(file), `${name}: ${file} exists`).toBe(true);
        expect(copiedFromContext(image, file), `${name}: ${file} is copied into the image`).toBe(true);
      }
    }
  });

  it('runs each service with the arguments npm start gives it (the gateway its heap flags)', () => {
    const runsService = appServices.filter(([, service]) => serviceOfEntry(entryOf(service.command)));
    expect(runsService.length).toBeGreaterThanOrEqual(3);
    for (const [name, service] of runsService) {
      const serviceName = serviceOfEntry(entryOf(service.command))!;
      expect(service.command, name).toEqual(['node', ...nodeArgsOf(serviceName)]);
    }
  });

  it('loads with --import only production dependencies of the root package', () => {
    const root = JSON.parse(readRepoFile('package.json')) as { dependencies?: Record<string, string> };
    for (const [name, service] of appServices) {
      const imports = service.command!.flatMap((arg, index, all) => (all[index - 1] === '--import' ? [arg] : []));
      for (const module of imports)
        expect(Object.keys(root.dependencies ?? {}), `${name}: ${module}`).toContain(module);
    }
  });
});
