import { describe, expect, it } from 'vitest';
import type { Model } from '@kubernetes-models/base';
import { Namespace, ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { OVERLAYS, renderOverlay, type K8sObject } from './manifests.js';
import { OPERATOR_SCHEMAS } from './operatorSchemas.js';

/**
 * Every object each overlay renders, against its API's schema: Kubernetes' own from
 * kubernetes-models (generated from the API's OpenAPI document), the operators' from
 * operatorSchemas.ts. A kind with neither fails, so nothing new goes unchecked.
 */
type ModelClass = new (data: K8sObject) => Model<unknown>;

const KUBERNETES_MODELS: Record<string, ModelClass> = Object.fromEntries(
  [
    Namespace,
    ConfigMap,
    Service,
    ServiceAccount,
    Deployment,
    StatefulSet,
    CronJob,
    HorizontalPodAutoscaler,
    NetworkPolicy,
    PodDisruptionBudget,
  ].map((model) => [`${model.apiVersion}/${model.kind}`, model as unknown as ModelClass]),
);

function problemsOf(object: K8sObject): string | undefined {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = KUBERNETES_MODELS[key];
  if (model) {
    try {
      new model(object).validate();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
  const schema = OPERATOR_SCHEMAS[key];
  if (!schema) return `no schema for ${key}: add its model or operator schema`;
  const result = schema.safeParse(object);
  return result.success
    ? undefined
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s against the API schemas', (overlay) => {
  const objects = renderOverlay(overlay);

  it('renders, into one namespace', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects.filter((candidate) => candidate.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe('potluck');
    }
  });

  it('validates every object', () => {
    const problems = objects.flatMap((object) => {
      const problem = problemsOf(object);
      return problem ? [`${object.kind}/${object.metadata.name}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('catches what a schema forbids (a string where an integer goes, an unknown operator field)', () => {
    const deployment = structuredClone(objects.find((object) => object.kind === 'Deployment')!);
    deployment.spec.template.spec.terminationGracePeriodSeconds = 'twenty';
    expect(problemsOf(deployment)).toMatch(/terminationGracePeriodSeconds must be integer/);
    const cluster = objects.find((object) => object.kind === 'Cluster');
    if (cluster) {
      const misspelt = structuredClone(cluster);
      misspelt.spec.instance = 3;
      expect(problemsOf(misspelt)).toMatch(/Unrecognized key: "instance"/);
    }
  });
});
