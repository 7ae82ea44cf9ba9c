import { allContainers, byKind, selects, workloads, type Json, type K8sObject } from './manifests.js';

/**
 * Who may open a TCP connection to whom under the NetworkPolicies of a rendered overlay, by
 * the rules of the Kubernetes API: a pod that no policy of a direction selects is open in that
 * direction; one that some policy selects is closed but for what a rule of a selecting policy
 * allows; a connection needs the source's egress and the destination's ingress.
 */
export interface Endpoint {
  name: string;
  /** Undefined for an address outside the cluster (an identity provider, a client on the internet). */
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  labels?: Record<string, string>;
  /** Named container ports, which a policy may name instead of a number. */
  ports?: Record<string, number>;
}

const namespaceEndpoint = (name: string, namespace: string, labels: Record<string, string>): Endpoint => ({
  name,
  namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
  labels,
  ports: {},
});

export const OUTSIDE: Endpoint = { name: 'the internet' };
export const PROMETHEUS = namespaceEndpoint('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' });
export const INGRESS_CONTROLLER = namespaceEndpoint('ingress controller', 'ingress-nginx', {
  'app.kubernetes.io/name': 'ingress-nginx',
});
export const CNPG_OPERATOR = namespaceEndpoint('cnpg operator', 'cnpg-system', {
  'app.kubernetes.io/name': 'cloudnative-pg',
});

function inNamespace(
  name: string,
  objects: K8sObject[],
  labels: Record<string, string>,
  ports: Record<string, number>,
) {
  const namespace = objects.find((object) => object.kind === 'Namespace')?.metadata.name ?? 'default';
  return { name, namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, labels, ports };
}

/** Every pod the overlay makes: its workloads', and those the operators make from its custom resources. */
export function podsOf(objects: K8sObject[]): Map<string, Endpoint> {
  const pods = new Map<string, Endpoint>();
  for (const { name, pod } of workloads(objects)) {
    const ports = Object.fromEntries(
      allContainers(pod).flatMap((container) => (container.ports ?? []).map((port) => [port.name, port.containerPort])),
    );
    pods.set(name, inNamespace(name, objects, pod.metadata.labels, ports));
  }
  for (const cluster of byKind(objects, 'Cluster')) {
    const labels = { ...cluster.spec.inheritedMetadata?.labels, 'cnpg.io/cluster': cluster.metadata.name };
    pods.set(cluster.metadata.name, inNamespace(cluster.metadata.name, objects, labels, { postgresql: 5432 }));
  }
  for (const rabbit of byKind(objects, 'RabbitmqCluster')) {
    const labels = {
      ...rabbit.spec.override?.statefulSet?.spec?.template?.metadata?.labels,
      'app.kubernetes.io/name': rabbit.metadata.name,
    };
    pods.set(rabbit.metadata.name, inNamespace(rabbit.metadata.name, objects, labels, { amqp: 5672 }));
  }
  return pods;
}

function peerMatches(peer: Json, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) return endpoint.namespace === undefined;
  if (endpoint.namespace === undefined) return false;
  const namespaceMatches = peer.namespaceSelector
    ? selects(peer.namespaceSelector, endpoint.namespaceLabels ?? {})
    : endpoint.namespace === policyNamespace;
  const podMatches = peer.podSelector ? selects(peer.podSelector, endpoint.labels ?? {}) : true;
  return namespaceMatches && podMatches;
}

function portMatches(rulePorts: Json[] | undefined, port: number, destination: Endpoint): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((rule) => {
    if ((rule.protocol ?? 'TCP') !== 'TCP') return false;
    if (rule.port === undefined) return true;
    const number = typeof rule.port === 'number' ? rule.port : destination.ports?.[rule.port];
    return number === port;
  });
}

type Direction = 'Ingress' | 'Egress';

/** Whether `direction` of `subject` lets the connection through. */
function allowedBy(
  policies: K8sObject[],
  direction: Direction,
  subject: Endpoint,
  peer: Endpoint,
  port: number,
  destination: Endpoint,
): boolean {
  if (subject.namespace === undefined) return true;
  const selecting = policies.filter(
    (policy) =>
      (policy.metadata.namespace ?? 'default') === subject.namespace &&
      selects(policy.spec.podSelector, subject.labels ?? {}) &&
      (policy.spec.policyTypes ?? ['Ingress']).includes(direction),
  );
  if (selecting.length === 0) return true;
  const key = direction === 'Ingress' ? 'from' : 'to';
  return selecting.some((policy) =>
    ((direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []).some(
      (rule: Json) =>
        (!rule[key] ||
          rule[key].length === 0 ||
          rule[key].some((p: Json) => peerMatches(p, subject.namespace!, peer))) &&
        portMatches(rule.ports, port, destination),
    ),
  );
}

export function canConnect(objects: K8sObject[], source: Endpoint, destination: Endpoint, port: number): boolean {
  const policies = byKind(objects, 'NetworkPolicy');
  return (
    allowedBy(policies, 'Egress', source, destination, port, destination) &&
    allowedBy(policies, 'Ingress', destination, source, port, destination)
  );
}
