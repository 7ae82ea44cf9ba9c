import { z } from 'zod';

/**
 * The custom resources of the production overlay, as their operators' CRDs define the fields
 * it uses. No npm package carries these CRDs, so these are hand-written from the CRD files,
 * type for type, and strict: a field the overlay sets that is not listed here fails, so a
 * new field gets checked against the CRD before it is added. Checked against:
 *   CloudNativePG       config/crd/bases/postgresql.cnpg.io_clusters.yaml (postgresql.cnpg.io/v1)
 *   RabbitMQ operator   config/crd/bases/rabbitmq.com_rabbitmqclusters.yaml (rabbitmq.com/v1beta1)
 *   topology operator   config/crd/bases/rabbitmq.com_users.yaml, rabbitmq.com_permissions.yaml,
 *                       rabbitmq.com_exchanges.yaml, rabbitmq.com_queues.yaml, rabbitmq.com_bindings.yaml
 *   Prometheus operator monitoring.coreos.com_podmonitors.yaml, _prometheusrules.yaml (monitoring.coreos.com/v1),
 *                       for components/prometheus-operator
 */
const quantity = z.union([
  z.string().regex(/^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE])?$/),
  z.number(),
]);
const resources = z.strictObject({
  requests: z.partialRecord(z.enum(['cpu', 'memory']), quantity).optional(),
  limits: z.partialRecord(z.enum(['cpu', 'memory']), quantity).optional(),
});
const labels = z.record(z.string(), z.string());
const metadata = z.looseObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  namespace: z.string().optional(),
});
const clusterReference = z.strictObject({ name: z.string() });

export const cnpgCluster = z.strictObject({
  apiVersion: z.literal('postgresql.cnpg.io/v1'),
  kind: z.literal('Cluster'),
  metadata,
  spec: z.strictObject({
    instances: z.number().int().min(1),
    enablePDB: z.boolean().optional(),
    // CloudNativePG's PostgresConfiguration: server parameters are strings.
    postgresql: z.strictObject({ parameters: z.record(z.string(), z.string()).optional() }).optional(),
    bootstrap: z.strictObject({ initdb: z.strictObject({ database: z.string(), owner: z.string() }) }).optional(),
    storage: z.strictObject({ size: z.string(), storageClass: z.string().optional() }),
    resources: resources.optional(),
    affinity: z
      .strictObject({
        enablePodAntiAffinity: z.boolean().optional(),
        podAntiAffinityType: z.enum(['preferred', 'required']).optional(),
        topologyKey: z.string().optional(),
      })
      .optional(),
    inheritedMetadata: z.strictObject({ labels: labels.optional(), annotations: labels.optional() }).optional(),
  }),
});

const podAntiAffinityTerm = z.strictObject({
  labelSelector: z.strictObject({ matchLabels: labels }),
  topologyKey: z.string(),
});

export const rabbitmqCluster = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('RabbitmqCluster'),
  metadata,
  spec: z.strictObject({
    replicas: z.number().int().min(0),
    resources: resources.optional(),
    persistence: z.strictObject({ storage: quantity, storageClassName: z.string().optional() }).optional(),
    rabbitmq: z.strictObject({ additionalConfig: z.string().max(100_000) }).optional(),
    affinity: z
      .strictObject({
        podAntiAffinity: z.strictObject({
          requiredDuringSchedulingIgnoredDuringExecution: z.array(podAntiAffinityTerm),
        }),
      })
      .optional(),
    override: z
      .strictObject({
        statefulSet: z.strictObject({
          spec: z.strictObject({ template: z.strictObject({ metadata: z.strictObject({ labels }) }) }),
        }),
      })
      .optional(),
  }),
});

export const rabbitmqUser = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('User'),
  metadata,
  spec: z.strictObject({
    rabbitmqClusterReference: clusterReference,
    importCredentialsSecret: z.strictObject({ name: z.string() }).optional(),
    tags: z.array(z.enum(['management', 'policymaker', 'monitoring', 'administrator'])).optional(),
  }),
});

export const rabbitmqPermission = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('Permission'),
  metadata,
  spec: z.strictObject({
    vhost: z.string(),
    userReference: z.strictObject({ name: z.string() }),
    permissions: z.strictObject({ configure: z.string(), write: z.string(), read: z.string() }),
    rabbitmqClusterReference: clusterReference,
  }),
});

/** What an Exchange and a Queue spec share: the name and how RabbitMQ declares it. */
const declaredSpec = {
  name: z.string(),
  vhost: z.string().optional(),
  type: z.string().optional(),
  durable: z.boolean().optional(),
  autoDelete: z.boolean().optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  rabbitmqClusterReference: clusterReference,
};

export const rabbitmqExchange = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('Exchange'),
  metadata,
  spec: z.strictObject(declaredSpec),
});

export const rabbitmqQueue = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('Queue'),
  metadata,
  spec: z.strictObject({
    ...declaredSpec,
    deleteIfEmpty: z.boolean().optional(),
    deleteIfUnused: z.boolean().optional(),
  }),
});

export const rabbitmqBinding = z.strictObject({
  apiVersion: z.literal('rabbitmq.com/v1beta1'),
  kind: z.literal('Binding'),
  metadata,
  spec: z.strictObject({
    vhost: z.string().optional(),
    source: z.string().optional(),
    destination: z.string().optional(),
    destinationType: z.enum(['exchange', 'queue']).optional(),
    routingKey: z.string().optional(),
    arguments: z.record(z.string(), z.unknown()).optional(),
    rabbitmqClusterReference: clusterReference,
  }),
});

export const podMonitor = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PodMonitor'),
  metadata,
  spec: z.strictObject({
    jobLabel: z.string().optional(),
    selector: z.strictObject({ matchLabels: labels }),
    podMetricsEndpoints: z.array(
      z.strictObject({
        port: z.string(),
        path: z.string().optional(),
        interval: z.string().regex(/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?)$/),
      }),
    ),
  }),
});

export const prometheusRule = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata,
  spec: z.strictObject({
    groups: z.array(
      z.strictObject({
        name: z.string(),
        rules: z.array(
          z.strictObject({
            alert: z.string(),
            expr: z.string(),
            for: z.string().optional(),
            labels: labels.optional(),
            annotations: labels.optional(),
          }),
        ),
      }),
    ),
  }),
});

export const OPERATOR_SCHEMAS: Record<string, z.ZodType> = {
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  'rabbitmq.com/v1beta1/RabbitmqCluster': rabbitmqCluster,
  'rabbitmq.com/v1beta1/User': rabbitmqUser,
  'rabbitmq.com/v1beta1/Permission': rabbitmqPermission,
  'rabbitmq.com/v1beta1/Exchange': rabbitmqExchange,
  'rabbitmq.com/v1beta1/Queue': rabbitmqQueue,
  'rabbitmq.com/v1beta1/Binding': rabbitmqBinding,
  'monitoring.coreos.com/v1/PodMonitor': podMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
};
