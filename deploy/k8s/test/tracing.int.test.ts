import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { loadTelemetryConfig } from '@potluck/telemetry';
import { byKind, find, podTemplateOf, render, renderOverlay, type Container, type K8sObject } from './manifests.js';
import { canConnect, OUTSIDE, podsOf, type Endpoint } from './networkPolicy.js';

/**
 * components/tracing, added to the production overlay as docs/deploying.md says
 * (test/with-tracing): every service exports its spans to the collector tracing.env names, the
 * gateway samples, and the network policies let exactly that traffic out.
 */
const SERVICES: readonly string[] = ['gateway', 'recipes', 'comments'];

const objects = render('test/with-tracing');
const [settings] = byKind(objects, 'ConfigMap').filter(({ metadata }) => metadata.name.startsWith('potluck-tracing'));

/** A collector pod in the namespace and port tracing.env's endpoint names (`http://<service>.<namespace>:<port>`). */
function collectorIn(namespace: string): Endpoint {
  return {
    name: `otel collector in ${namespace}`,
    namespace,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
    labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
    ports: {},
  };
}
const endpointUrl = new URL(settings!.data.OTEL_EXPORTER_OTLP_ENDPOINT);
const collectorNamespace = endpointUrl.hostname.split('.')[1]!;
const collectorPort = Number(endpointUrl.port);

function serviceContainer(objects: K8sObject[], service: string): Container & { envFrom?: unknown[] } {
  const pod = podTemplateOf(find(objects, 'Deployment', service))!;
  return pod.spec.containers.find((container) => container.name === service)!;
}

function endpoint(objects: K8sObject[], service: string): Endpoint {
  return podsOf(objects).get(service)!;
}

describe('components/tracing', () => {
  it('validates against the API’s schemas, in the overlay’s namespace', () => {
    const policy = find(objects, 'NetworkPolicy', 'otlp-export');
    new ConfigMap(settings as never).validate();
    new NetworkPolicy(policy as never).validate();
    for (const object of [settings!, policy]) expect(object.metadata.namespace).toBe('potluck');
  });

  it('gives each service’s container every setting of tracing.env, and they are settings the services accept', () => {
    for (const service of SERVICES) {
      expect(serviceContainer(objects, service).envFrom, service).toEqual([
        { configMapRef: { name: settings!.metadata.name } },
      ]);
      const env = Object.fromEntries(
        (serviceContainer(objects, service).env ?? []).map(({ name, value }) => [name, value]),
      );
      const config = loadTelemetryConfig({ ...settings!.data, ...env }, service);
      expect(config.tracesUrl).toBe(`${endpointUrl.origin}/v1/traces`);
      // Traces start at the gateway: it samples one in ten, the subgraphs follow its decision.
      const sampling = service === 'gateway' ? ['parentbased_traceidratio', 0.1] : ['parentbased_always_on', 1];
      expect([config.sampler, config.samplerRatio], service).toEqual(sampling);
    }
    const others = objects.filter((object) => {
      const pod = podTemplateOf(object);
      return pod && !SERVICES.includes(object.metadata.name) && JSON.stringify(pod).includes('potluck-tracing');
    });
    expect(others.map(({ kind, metadata }) => `${kind}/${metadata.name}`)).toEqual([]);
  });

  it('lets each service reach the collector tracing.env names, on its OTLP/HTTP port only, which the production overlay alone does not', () => {
    const production = renderOverlay('production');
    const collector = collectorIn(collectorNamespace);
    expect([collectorNamespace, collectorPort]).toEqual(['monitoring', 4318]);
    for (const service of SERVICES) {
      const pod = endpoint(objects, service);
      expect(canConnect(objects, pod, collector, collectorPort), `${service} → collector`).toBe(true);
      expect(canConnect(objects, pod, collector, 4317), `${service} → gRPC`).toBe(false);
      expect(canConnect(objects, pod, collectorIn('elsewhere'), collectorPort), `${service} → elsewhere`).toBe(false);
      // Nothing more to the internet than the overlay allows (the gateway its identity provider).
      const outside = canConnect(production, endpoint(production, service), OUTSIDE, 443);
      expect(canConnect(objects, pod, OUTSIDE, 443), `${service} → the internet`).toBe(outside);
      expect(
        canConnect(production, endpoint(production, service), collector, collectorPort),
        `without: ${service}`,
      ).toBe(false);
    }
  });
});
