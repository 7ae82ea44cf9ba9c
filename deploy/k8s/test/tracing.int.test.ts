import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { loadTelemetryConfig } from '@potluck/telemetry';
import { byKind, find, podTemplateOf, render, renderOverlay, type Container, type K8sObject } from './manifests.js';
import { canConnect, podsOf, type Endpoint } from './networkPolicy.js';

/**
 * components/tracing, added to the production overlay as docs/deploying.md says
 * (test/with-tracing): every service exports its spans to the collector tracing.env names, with
 * the sampling it sets, and the network policies let exactly that traffic out.
 */
const SERVICES: readonly string[] = ['gateway', 'recipes', 'comments'];
const COLLECTOR: Endpoint = {
  name: 'otel collector',
  namespace: 'monitoring',
  namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
  labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
  ports: {},
};

const objects = render('test/with-tracing');
const [settings] = byKind(objects, 'ConfigMap').filter(({ metadata }) => metadata.name.startsWith('potluck-tracing'));

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
      const config = loadTelemetryConfig(settings!.data, service);
      expect(config.tracesUrl).toBe('http://otel-collector.monitoring:4318/v1/traces');
      expect([config.sampler, config.samplerRatio]).toEqual(['parentbased_traceidratio', 0.1]);
    }
    const others = objects.filter((object) => {
      const pod = podTemplateOf(object);
      return pod && !SERVICES.includes(object.metadata.name) && JSON.stringify(pod).includes('potluck-tracing');
    });
    expect(others.map(({ kind, metadata }) => `${kind}/${metadata.name}`)).toEqual([]);
  });

  it('lets each service reach the collector’s OTLP/HTTP port, which the production overlay alone does not', () => {
    const production = renderOverlay('production');
    for (const service of SERVICES) {
      expect(canConnect(objects, endpoint(objects, service), COLLECTOR, 4318), `${service} → collector`).toBe(true);
      expect(canConnect(objects, endpoint(objects, service), COLLECTOR, 4317), `${service} → gRPC`).toBe(false);
      expect(canConnect(production, endpoint(production, service), COLLECTOR, 4318), `without: ${service}`).toBe(false);
    }
  });
});
