import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appServers, configOf, metricsPortOf } from './appServices.js';
import { DASHBOARDS_DIR, provisionedDatasources } from './dashboards.js';
import {
  envExample,
  environmentOf,
  existsInRepo,
  loadCompose,
  readRepoFile,
  type ComposeService,
} from './stackFiles.js';

/**
 * docker-compose.yml's observability profile and what it mounts from deploy/: the collector's
 * pipeline, Prometheus's scrape configuration and Grafana's provisioning, checked against the
 * compose file and the services' own configuration. observabilityPromtool.int.test.ts runs promtool.
 */
const PROFILE = 'observability';
const compose = loadCompose();
const services = Object.entries(compose.services);
const inProfile = services.filter(([, service]) => service.profiles?.includes(PROFILE));
const withoutProfile = services.filter(([, service]) => !service.profiles?.length);
const imageName = (service: ComposeService) => service.image?.split(':')[0] ?? '';

/** The one service running an image, by the image's name. */
function serviceOf(image: RegExp): [string, ComposeService] {
  const found = inProfile.filter(([, service]) => image.test(imageName(service)));
  expect(
    found.map(([name]) => name),
    `one service runs ${image}`,
  ).toHaveLength(1);
  return found[0]!;
}

const [collectorName, collector] = serviceOf(/^otel\/opentelemetry-collector(-contrib)?$/);
const [jaegerName, jaeger] = serviceOf(/^jaegertracing\/jaeger$/);
const [prometheusName, prometheus] = serviceOf(/^prom\/prometheus$/);
const [grafanaName, grafana] = serviceOf(/^grafana\/grafana$/);

/** Jaeger's OTLP receiver in its all-in-one configuration (the image's default). */
const JAEGER_OTLP_PORTS: Record<string, number> = { grpc: 4317, http: 4318 };

/** Where a file or folder of the repository is mounted in a service, or undefined. */
function mountTarget(service: ComposeService, source: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find(([from]) => from === `./${source}`)?.[1];
}

/** The container ports a service publishes. */
const publishedPorts = (service: ComposeService) =>
  (service.ports ?? []).map((port) => Number(String(port).split(':').at(-1)));

function hostPort(address: string): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: Number(url.port) };
}

interface CollectorConfig {
  receivers: { otlp: { protocols: Record<string, { endpoint: string }> } } & Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string; tls?: { insecure?: boolean } }>;
  service: {
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
    telemetry?: {
      metrics?: { readers?: Array<{ pull?: { exporter?: { prometheus?: { host: string; port: number } } } }> };
    };
  };
}

const collectorConfig = parse(readRepoFile('deploy/otel-collector/config.yaml')) as CollectorConfig;
const otlpHttp = hostPort(collectorConfig.receivers.otlp.protocols.http!.endpoint);

interface PrometheusConfig {
  global: { scrape_interval: string };
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
}

const prometheusConfig = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as PrometheusConfig;
const scrapeTargets = new Map(
  prometheusConfig.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((config) => config.targets)]),
);

/** The settings .env.example documents, commented out, for running the profile. */
function documentedProfileSettings(): Record<string, string> {
  const lines = readRepoFile('.env.example')
    .split('\n')
    .flatMap((line) => /^# ((?:COMPOSE_PROFILES|OTEL_\w+)=\S*)$/.exec(line)?.[1] ?? []);
  return parseEnv(lines.join('\n')) as Record<string, string>;
}

describe('docker-compose.yml: the observability profile', () => {
  it('adds an OpenTelemetry Collector, Jaeger, Prometheus and Grafana, which nothing outside the profile needs', () => {
    expect(inProfile.map(([name]) => name).sort()).toEqual(
      [collectorName, jaegerName, prometheusName, grafanaName].sort(),
    );
    for (const [name, service] of withoutProfile) {
      const needs = Object.keys(service.depends_on ?? {});
      expect(
        needs.filter((dependency) => compose.services[dependency]?.profiles?.length),
        name,
      ).toEqual([]);
    }
  });

  it('pins each of its images to an exact version', () => {
    for (const [name, service] of inProfile) expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
  });

  it('publishes Grafana, Prometheus and the Jaeger UI on 127.0.0.1 only, and nothing else', () => {
    const published = inProfile.flatMap(([name, service]) => (service.ports ?? []).map((port) => `${name} ${port}`));
    expect(published.sort()).toEqual([
      `${grafanaName} 127.0.0.1:3000:3000`,
      `${jaegerName} 127.0.0.1:16686:16686`,
      `${prometheusName} 127.0.0.1:9090:9090`,
    ]);
  });

  it('mounts its configuration read-only from deploy/', () => {
    for (const [name, service] of inProfile) {
      for (const volume of (service.volumes ?? []).filter((mount) => mount.startsWith('.'))) {
        expect(volume, name).toMatch(/^\.\/deploy\/[^:]+:[^:]+:ro$/);
        expect(existsInRepo(volume.split(':')[0]!), volume).toBe(true);
      }
    }
  });

  it('exports no traces without it: the services’ OTLP endpoint is empty unless .env sets one', () => {
    expect(envExample().OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const servers = appServers(compose);
    expect(servers.map(([name]) => name).sort()).toEqual(['comments', 'gateway', 'recipes']);
    for (const [name, service] of servers) expect(environmentOf(service).OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe('');
  });

  it('sends every service’s traces to the collector, over OTLP/HTTP, with the settings .env.example documents', () => {
    const documented = documentedProfileSettings();
    expect(documented.COMPOSE_PROFILES).toBe(PROFILE);
    const withProfile = loadCompose({ ...envExample(), ...documented });
    for (const [name, service] of appServers(withProfile)) {
      const endpoint = new URL(environmentOf(service).OTEL_EXPORTER_OTLP_ENDPOINT!);
      expect(endpoint.protocol, name).toBe('http:');
      expect(endpoint.hostname, name).toBe(collectorName);
      expect(Number(endpoint.port), name).toBe(otlpHttp.port);
      expect(() => configOf(name, service), name).not.toThrow();
    }
  });
});

describe('deploy/otel-collector/config.yaml', () => {
  it('is the configuration the collector runs', () => {
    const target = mountTarget(collector, 'deploy/otel-collector/config.yaml');
    expect(target).toBeDefined();
    expect(collector.command).toEqual([`--config=${target}`]);
  });

  it('receives OTLP over HTTP on every interface of the container', () => {
    expect(otlpHttp.host).toBe('0.0.0.0');
  });

  it('pipes traces from the OTLP receiver to Jaeger’s OTLP port, the memory limiter first', () => {
    const traces = collectorConfig.service.pipelines.traces!;
    expect(traces.receivers).toContain('otlp');
    expect(traces.processors?.[0]).toBe('memory_limiter');
    expect(traces.exporters.length).toBeGreaterThan(0);
    for (const exporter of traces.exporters) {
      const protocol = { otlp_grpc: 'grpc', otlp_http: 'http' }[exporter.split('/')[0]!];
      expect(protocol, `${exporter} speaks OTLP`).toBeDefined();
      const endpoint = hostPort(collectorConfig.exporters[exporter]!.endpoint!);
      expect(endpoint, exporter).toEqual({ host: jaegerName, port: JAEGER_OTLP_PORTS[protocol!] });
    }
  });

  it('defines every component its pipelines use, and uses every one it defines', () => {
    const pipelines = Object.values(collectorConfig.service.pipelines);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const used = new Set(pipelines.flatMap((pipeline) => pipeline[kind] ?? []));
      expect([...used].sort(), kind).toEqual(Object.keys(collectorConfig[kind] ?? {}).sort());
    }
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('is the configuration Prometheus runs, and loads the alerting rules mounted beside it', () => {
    const config = mountTarget(prometheus, 'deploy/prometheus/prometheus.yml');
    expect(config).toBe('/etc/prometheus/prometheus.yml');
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
    expect(mountTarget(prometheus, 'deploy/prometheus/alerts.yml')).toBe(
      path.posix.join(path.posix.dirname(config!), 'alerts.yml'),
    );
  });

  it('scrapes each service at /metrics on the port it serves them, one job per service named after it', () => {
    for (const [name, service] of appServers(compose)) {
      const port = metricsPortOf(name, service);
      expect(port, `${name} serves metrics`).toBeDefined();
      expect(scrapeTargets.get(name), name).toEqual([`${name}:${port}`]);
    }
    for (const job of prometheusConfig.scrape_configs)
      expect(job.metrics_path ?? '/metrics', job.job_name).toBe('/metrics');
  });

  it('scrapes the collector’s own metrics where it serves them', () => {
    const reader = collectorConfig.service.telemetry?.metrics?.readers?.[0]?.pull?.exporter?.prometheus;
    expect(reader?.host).toBe('0.0.0.0');
    expect(scrapeTargets.get(collectorName)).toEqual([`${collectorName}:${reader!.port}`]);
  });

  it('scrapes nothing but services of this file', () => {
    for (const target of [...scrapeTargets.values()].flat()) {
      expect(Object.keys(compose.services), target).toContain(hostPort(target).host);
    }
  });
});

describe('deploy/grafana/provisioning', () => {
  it('points each datasource at its service on the port that service publishes', () => {
    const sources = provisionedDatasources();
    const expected = { prometheus: prometheus, jaeger: jaeger };
    expect([...sources.values()].map((source) => source.type).sort()).toEqual(Object.keys(expected).sort());
    for (const [uid, source] of sources) {
      const { host, port } = hostPort(source.url);
      const service = expected[source.type as keyof typeof expected];
      expect(compose.services[host], uid).toBe(service);
      expect(publishedPorts(service), uid).toContain(port);
    }
  });

  it('gives Prometheus’s scrape interval to Grafana, so $__rate_interval spans four scrapes', () => {
    const source = [...provisionedDatasources().values()].find((candidate) => candidate.type === 'prometheus');
    expect(source?.jsonData?.timeInterval).toBe(prometheusConfig.global.scrape_interval);
  });

  it('loads the dashboards from where compose mounts deploy/grafana/dashboards, and opens the Potluck one', () => {
    for (const kind of ['datasources', 'dashboards']) {
      expect(mountTarget(grafana, `deploy/grafana/provisioning/${kind}`), kind).toBe(
        `/etc/grafana/provisioning/${kind}`,
      );
    }
    const dashboards = mountTarget(grafana, DASHBOARDS_DIR);
    const { providers } = parse(readRepoFile('deploy/grafana/provisioning/dashboards/dashboards.yml')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.map((provider) => [provider.type, provider.options.path])).toEqual([['file', dashboards]]);
    expect(environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboards}/potluck.json`);
  });

  it('lets anyone on this machine view, and takes the admin password from .env', () => {
    const env = environmentOf(grafana);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe(envExample().GRAFANA_ADMIN_PASSWORD);
    expect(envExample().GRAFANA_ADMIN_PASSWORD).toBeTruthy();
  });
});
