import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The rendered overlays, as `kubectl apply -k` would send them, and what the checks ask of them. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const K8S_DIR = path.join(REPO_ROOT, 'deploy/k8s');
export const OVERLAYS = ['local', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

// Rendered objects are free-form YAML: the checks read them as plain data.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: Json };
  [key: string]: Json;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Json }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  [key: string]: Json;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: Array<{ name: string; [source: string]: Json }>;
    [key: string]: Json;
  };
}

/** A Deployment, StatefulSet or CronJob, and the pods it makes. */
export interface Workload {
  kind: string;
  name: string;
  object: K8sObject;
  pod: PodTemplate;
}

const rendered = new Map<string, K8sObject[]>();

/**
 * `kubectl kustomize deploy/k8s/<dir>` (what `kubectl apply -k` renders), parsed; fails with
 * kustomize's own message. kubectl is a machine tool, like Chromium for the IDE test: .ci/run
 * checks for it.
 */
export function render(dir: string): K8sObject[] {
  const cached = rendered.get(dir);
  if (cached) return cached;
  const run = spawnSync('kubectl', ['kustomize', path.join(K8S_DIR, dir)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr || run.error?.message}`);
  const objects = parseAllDocuments(run.stdout).map((document) => document.toJS() as K8sObject);
  rendered.set(dir, objects);
  return objects;
}

export const renderOverlay = (overlay: Overlay) => render(`overlays/${overlay}`);

export function podTemplateOf(object: K8sObject): PodTemplate | undefined {
  if (['Deployment', 'StatefulSet', 'Job'].includes(object.kind)) return object.spec.template;
  if (object.kind === 'CronJob') return object.spec.jobTemplate.spec.template;
  return undefined;
}

export function workloads(objects: K8sObject[]): Workload[] {
  return objects.flatMap((object) => {
    const pod = podTemplateOf(object);
    return pod ? [{ kind: object.kind, name: object.metadata.name, object, pod }] : [];
  });
}

export const allContainers = (pod: PodTemplate): Container[] => [
  ...(pod.spec.initContainers ?? []),
  ...pod.spec.containers,
];

/** Potluck's own image (the one docker/Dockerfile builds), whatever registry and tag the overlay gives it. */
export const isPotluckImage = (image: string) => /(^|\/)potluck(:[\w.-]+)?$/.test(image);

/** Workloads that run Potluck's image, as opposed to the local overlay's Postgres and RabbitMQ. */
export const potluckWorkloads = (objects: K8sObject[]) =>
  workloads(objects).filter(({ pod }) => allContainers(pod).every((container) => isPotluckImage(container.image)));

/** `node --import tsx <entry> ...`: the file a container runs. */
export function entryOf(container: Container): string {
  const args = container.command ?? [];
  if (args[0] !== 'node') throw new Error(`${container.name}: runs ${args[0]}, not node in exec form`);
  for (let index = 1; index < args.length; index += 1) {
    if (args[index] === '--import') index += 1;
    else if (!args[index]!.startsWith('-')) return args[index]!;
  }
  throw new Error(`${container.name}: no entry file in ${args.join(' ')}`);
}

export function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** Whether a label selector (`matchLabels` and `matchExpressions`) selects these labels. */
export function selects(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels: Record<string, string> = selector?.matchLabels ?? {};
  const expressions: Array<{ key: string; operator: string; values?: string[] }> = selector?.matchExpressions ?? [];
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    expressions.every(({ key, operator, values = [] }) => {
      if (operator === 'Exists') return key in labels;
      if (operator === 'DoesNotExist') return !(key in labels);
      if (operator === 'In') return key in labels && values.includes(labels[key]!);
      if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key]!);
      throw new Error(`unknown selector operator ${operator}`);
    })
  );
}

export const byKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
  if (!object) throw new Error(`no ${kind} ${name}`);
  return object;
}
