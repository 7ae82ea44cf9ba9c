import { describe, expect, it } from 'vitest';
import {
  allContainers,
  byKind,
  envValue,
  find,
  OVERLAYS,
  potluckWorkloads,
  renderOverlay,
  selects,
  workloads,
  type Container,
  type K8sObject,
  type Workload,
} from './manifests.js';

/**
 * What deploy/k8s promises for every workload that runs Potluck's image, checked on each
 * rendered overlay: probes on the real health routes, requests and memory limits, non-root,
 * read-only root filesystem, graceful termination within the grace period, a budget and an
 * autoscaler per service, and (production) replicas spread over nodes.
 */
const SHUTDOWN_TIMEOUT_MS_DEFAULT = 10_000;
const SERVICES = ['gateway', 'recipes', 'comments'] as const;

const deploymentsOf = (objects: K8sObject[]) => potluckWorkloads(objects).filter(({ kind }) => kind === 'Deployment');

function containerPort(container: Container, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/** The seconds a `sleep N` preStop hook holds the pod before SIGTERM. */
function preStopSeconds(container: Container): number {
  const command: string[] | undefined = container.lifecycle?.preStop?.exec?.command;
  if (!command) return 0;
  expect(command[0], `${container.name}: preStop`).toBe('sleep');
  return Number(command[1]);
}

describe.each(OVERLAYS)('deploy/k8s/overlays/%s: every Potluck workload', (overlay) => {
  const objects = renderOverlay(overlay);
  const potluck = potluckWorkloads(objects);

  it('has the three services as Deployments, and the operator commands as suspended CronJobs', () => {
    expect(
      deploymentsOf(objects)
        .map(({ name }) => name)
        .sort(),
    ).toEqual([...SERVICES].sort());
    const commands = potluck.filter(({ kind }) => kind === 'CronJob');
    expect(commands.map(({ name }) => name)).toEqual(
      expect.arrayContaining(['recipes-parked', 'recipes-parked-requeue', 'recipes-replay', 'comments-parked']),
    );
    for (const { object, name } of commands) {
      expect(object.spec.suspend, `${name} never runs on its own`).toBe(true);
      expect(object.spec.jobTemplate.spec.backoffLimit, `${name}: a failed command is not repeated`).toBe(0);
    }
  });

  it('runs as a non-root user with no privileges, capabilities or writable root filesystem', () => {
    for (const { name, pod } of potluck) {
      const podSecurity = pod.spec.securityContext ?? {};
      // The image's user is the name "node": the kubelet can check runAsNonRoot only against a number.
      expect(podSecurity.runAsNonRoot, `${name}: runAsNonRoot`).toBe(true);
      expect(podSecurity.runAsUser, `${name}: runAsUser`).toBeGreaterThan(0);
      expect(podSecurity.seccompProfile?.type, `${name}: seccomp`).toBe('RuntimeDefault');
      expect(pod.spec.automountServiceAccountToken, `${name}: no API token`).toBe(false);
      expect(pod.spec.enableServiceLinks, `${name}: no service link variables`).toBe(false);
      expect(pod.spec.hostNetwork ?? false, name).toBe(false);
      for (const container of allContainers(pod)) {
        const where = `${name}/${container.name}`;
        const security = container.securityContext ?? {};
        expect(security.allowPrivilegeEscalation, `${where}: allowPrivilegeEscalation`).toBe(false);
        expect(security.readOnlyRootFilesystem, `${where}: readOnlyRootFilesystem`).toBe(true);
        expect(security.privileged ?? false, `${where}: privileged`).toBe(false);
        expect(security.capabilities?.drop, `${where}: drops every capability`).toEqual(['ALL']);
        expect(security.capabilities?.add ?? [], `${where}: adds none`).toEqual([]);
        if (security.runAsUser !== undefined) expect(security.runAsUser, where).toBeGreaterThan(0);
      }
    }
  });

  it('gives what the processes write (tsx compiles into /tmp) an emptyDir of bounded size, and nothing else', () => {
    for (const { name, pod } of potluck) {
      const tmp = pod.spec.volumes?.find((volume) => volume.name === 'tmp');
      expect(tmp?.emptyDir?.sizeLimit, `${name}: /tmp emptyDir with a size limit`).toBeTruthy();
      for (const container of allContainers(pod)) {
        const mounts = container.volumeMounts ?? [];
        expect(mounts.find((mount) => mount.mountPath === '/tmp')?.name, `${name}/${container.name}: /tmp`).toBe('tmp');
        const writable = mounts.filter((mount) => !mount.readOnly).map((mount) => mount.mountPath);
        expect(writable, `${name}/${container.name}: writable mounts`).toEqual(['/tmp']);
      }
    }
  });

  it('requests CPU and memory and limits memory for every container', () => {
    for (const { name, pod } of potluck) {
      for (const container of allContainers(pod)) {
        const resources = container.resources ?? {};
        expect(resources.requests?.cpu, `${name}/${container.name}: cpu request`).toBeTruthy();
        expect(resources.requests?.memory, `${name}/${container.name}: memory request`).toBeTruthy();
        expect(resources.limits?.memory, `${name}/${container.name}: memory limit`).toBeTruthy();
      }
    }
  });

  it('probes each service on its own port: startup and liveness on /health/live, readiness on /health/ready', () => {
    for (const { name, pod } of deploymentsOf(objects)) {
      const container = pod.spec.containers[0]!;
      const port = Number(envValue(container, 'PORT'));
      const probes = {
        startupProbe: '/health/live',
        livenessProbe: '/health/live',
        readinessProbe: '/health/ready',
      } as const;
      for (const [probe, route] of Object.entries(probes)) {
        const http = container[probe]?.httpGet;
        expect(http?.path, `${name}: ${probe}`).toBe(route);
        expect(containerPort(container, http?.port), `${name}: ${probe} port`).toBe(port);
      }
      // Readiness answers within 2 s per check (packages/service/src/http/readiness.ts).
      expect(container.readinessProbe.timeoutSeconds, `${name}: readiness timeout`).toBeGreaterThanOrEqual(3);
      expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
    }
  });

  it('stops gracefully within the grace period: preStop, then SHUTDOWN_TIMEOUT_MS, with time to spare', () => {
    for (const { name, pod } of deploymentsOf(objects)) {
      const grace = pod.spec.terminationGracePeriodSeconds;
      for (const container of pod.spec.containers) {
        const shutdownMs = Number(envValue(container, 'SHUTDOWN_TIMEOUT_MS') ?? SHUTDOWN_TIMEOUT_MS_DEFAULT);
        const needed = preStopSeconds(container) * 1000 + shutdownMs;
        expect(grace * 1000, `${name}: grace ${grace} s, needs ${needed} ms`).toBeGreaterThan(needed);
        expect(preStopSeconds(container), `${name}: preStop while endpoints drain`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('lets the autoscaler own each service’s replica count, with a disruption budget that keeps one serving', () => {
    const budgets = byKind(objects, 'PodDisruptionBudget');
    const autoscalers = byKind(objects, 'HorizontalPodAutoscaler');
    for (const { name, object, pod } of deploymentsOf(objects)) {
      expect(object.spec.replicas, `${name}: replicas is the autoscaler's`).toBeUndefined();
      const hpa = autoscalers.filter((candidate) => candidate.spec.scaleTargetRef.name === name);
      expect(
        hpa.map((candidate) => candidate.spec.scaleTargetRef.kind),
        name,
      ).toEqual(['Deployment']);
      expect(hpa[0]!.spec.maxReplicas, name).toBeGreaterThan(hpa[0]!.spec.minReplicas);
      const cpu = hpa[0]!.spec.metrics?.find((metric: K8sObject) => metric.resource?.name === 'cpu');
      expect(cpu?.resource.target.averageUtilization, `${name}: scales on CPU`).toBeGreaterThan(0);
      const pdbs = budgets.filter((budget) => selects(budget.spec.selector, pod.metadata.labels));
      expect(pdbs.length, `${name}: one PodDisruptionBudget`).toBe(1);
      if (overlay === 'production') {
        expect(hpa[0]!.spec.minReplicas, `${name}: at least 3`).toBeGreaterThanOrEqual(3);
        expect(pdbs[0]!.spec.maxUnavailable, name).toBe(1);
      }
    }
  });

  it('migrates each subgraph in an init container, under the advisory lock, before it serves', () => {
    for (const service of ['recipes', 'comments']) {
      const { pod } = deploymentsOf(objects).find(({ name }) => name === service)!;
      const [migrate, ...others] = pod.spec.initContainers ?? [];
      expect(others, service).toEqual([]);
      expect(migrate?.command, service).toEqual(['node', '--import', 'tsx', 'scripts/migrateSubgraph.ts', service]);
      const main = pod.spec.containers[0]!;
      expect(envValue(main, 'MIGRATE_ON_START'), `${service}: the init container migrated`).toBe('false');
      const databaseUrl = (container: Container) => container.env?.find((v) => v.name === 'DATABASE_URL')?.valueFrom;
      expect(databaseUrl(migrate!), `${service}: the same database`).toEqual(databaseUrl(main));
    }
  });

  it('runs every Potluck container from one image, pinned to a tag', () => {
    const images = new Set(potluck.flatMap(({ pod }) => allContainers(pod).map((container) => container.image)));
    expect(images.size).toBe(1);
    const [image] = [...images];
    expect(image).toMatch(overlay === 'local' ? /^potluck:local$/ : /^[\w.-]+(:\d+)?\/[\w./-]+:[\w.-]+$/);
    expect(image).not.toMatch(/:latest$/);
  });

  it('reads the supergraph from its ConfigMap mounted as a directory (a subPath mount would never update)', () => {
    const { pod } = deploymentsOf(objects).find(({ name }) => name === 'gateway')!;
    const gateway = pod.spec.containers[0]!;
    const volume = pod.spec.volumes?.find((candidate) => candidate.configMap?.name === 'potluck-supergraph');
    const mount = gateway.volumeMounts?.find((candidate) => candidate.name === volume?.name);
    expect(mount?.subPath, 'no subPath').toBeUndefined();
    expect(envValue(gateway, 'SUPERGRAPH_PATH')).toBe(`${mount?.mountPath}/supergraph.graphql`);
    const configMap = find(objects, 'ConfigMap', 'potluck-supergraph');
    expect(Object.keys(configMap.data)).toEqual(['supergraph.graphql']);
  });
});

describe('deploy/k8s/overlays/production: high availability', () => {
  const objects = renderOverlay('production');

  it('prefers to put replicas of one service on different nodes', () => {
    for (const { name, pod } of deploymentsOf(objects)) {
      const terms: K8sObject[] =
        pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const own = terms.filter(
        ({ podAffinityTerm }) =>
          podAffinityTerm.topologyKey === 'kubernetes.io/hostname' &&
          selects(podAffinityTerm.labelSelector, pod.metadata.labels),
      );
      expect(own.length, `${name}: anti-affinity on its own pods by host`).toBe(1);
    }
  });

  it('runs each Postgres as three CloudNativePG instances on three nodes, with the operator’s budgets', () => {
    const clusters = byKind(objects, 'Cluster');
    expect(clusters.map((cluster) => cluster.metadata.name).sort()).toEqual(['comments-db', 'recipes-db']);
    for (const cluster of clusters) {
      expect(cluster.spec.instances, cluster.metadata.name).toBe(3);
      expect(cluster.spec.enablePDB, cluster.metadata.name).toBe(true);
      expect(cluster.spec.affinity, cluster.metadata.name).toMatchObject({
        enablePodAntiAffinity: true,
        podAntiAffinityType: 'required',
        topologyKey: 'kubernetes.io/hostname',
      });
    }
  });

  it('gives each Postgres connections for the autoscaler’s maximum of its service, a surge pod, a migration and a replay Job', () => {
    // Per subgraph pod: the Prisma pool (DATABASE_POOL_SIZE, 10 by default), the relay's 2, the outbox listener's 1.
    const perPod = (container: Container) => Number(envValue(container, 'DATABASE_POOL_SIZE') ?? 10) + 3;
    for (const service of ['recipes', 'comments']) {
      const deployment = deploymentsOf(objects).find(({ name }) => name === service)!;
      const container = deployment.pod.spec.containers.find(({ name }: Container) => name === service) as Container;
      const autoscaler = find(objects, 'HorizontalPodAutoscaler', service);
      const needed = (autoscaler.spec.maxReplicas + 1) * perPod(container) + perPod(container) + 1;
      const cluster = find(objects, 'Cluster', `${service}-db`);
      // Postgres keeps 3 for superusers.
      const usable = Number(cluster.spec.postgresql?.parameters?.max_connections ?? 100) - 3;
      expect(needed, `${service}: connections needed at most, against ${usable} usable`).toBeLessThanOrEqual(usable);
    }
  });

  it('runs RabbitMQ as three nodes on three hosts, with a budget that lets one go at a time', () => {
    const [rabbit, ...more] = byKind(objects, 'RabbitmqCluster');
    expect(more).toEqual([]);
    expect(rabbit!.spec.replicas).toBe(3);
    const podLabels = { 'app.kubernetes.io/name': rabbit!.metadata.name };
    const [term] = rabbit!.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(term.topologyKey).toBe('kubernetes.io/hostname');
    expect(selects(term.labelSelector, podLabels)).toBe(true);
    const budgets = byKind(objects, 'PodDisruptionBudget').filter((pdb) => selects(pdb.spec.selector, podLabels));
    expect(budgets.map((pdb) => pdb.spec.maxUnavailable)).toEqual([1]);
  });
});

describe('deploy/k8s/overlays/local: Postgres and RabbitMQ', () => {
  const objects = renderOverlay('local');
  const data: Workload[] = workloads(objects).filter(({ kind }) => kind === 'StatefulSet');

  it('are single-instance StatefulSets on volumes of their own, non-root, as the restricted namespace requires', () => {
    expect(data.map(({ name }) => name).sort()).toEqual(['potluck-postgres', 'potluck-rabbitmq']);
    expect(find(objects, 'Namespace', 'potluck').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
    for (const { name, object, pod } of data) {
      expect(object.spec.replicas, name).toBe(1);
      expect(object.spec.volumeClaimTemplates?.length, `${name}: a volume`).toBe(1);
      expect(pod.spec.securityContext.runAsNonRoot, name).toBe(true);
      expect(pod.spec.securityContext.seccompProfile.type, name).toBe('RuntimeDefault');
      for (const container of allContainers(pod)) {
        expect(container.securityContext.allowPrivilegeEscalation, name).toBe(false);
        expect(container.securityContext.capabilities.drop, name).toEqual(['ALL']);
        expect(container.readinessProbe, `${name}: readiness`).toBeTruthy();
        expect(container.resources?.limits?.memory, `${name}: memory limit`).toBeTruthy();
      }
    }
  });
});
