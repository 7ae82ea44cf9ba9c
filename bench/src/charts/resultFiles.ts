import { z } from 'zod';

/**
 * Result files as the charts read them: only the fields drawn, and every field added after
 * the first runs optional, so results written before distributions were kept still parse.
 * A percentile of no samples was written as null (JSON has no NaN).
 */
const ms = z.number().nullish();
const percentiles = z.object({ p50: ms, p95: ms, p99: ms });
const percentilePoints = z.array(z.object({ percentile: z.number(), ms: z.number() }));
const histogram = z.object({
  bucketsPerDecade: z.number().positive(),
  buckets: z.array(z.object({ upToMs: z.number().positive(), count: z.number().nonnegative() })),
});

const gatewayScenario = z.object({
  id: z.string(),
  title: z.string(),
  gateway: z.string().nullish(),
  connections: z.number().optional(),
  summary: percentiles.extend({ rps: z.number(), errors: z.number().optional() }),
  distributionMs: percentilePoints.optional(),
});

export const gatewayResultFile = z.object({
  benchmark: z.literal('gateways'),
  date: z.string(),
  machine: z.object({ cpu: z.string().optional(), cores: z.number().optional() }).optional(),
  loadAverage: z.object({ before: z.array(z.number()) }).optional(),
  scenarios: z.array(gatewayScenario),
});

export const eventResultFile = z.object({
  benchmark: z.literal('events'),
  date: z.string(),
  machine: z.string().optional(),
  rate: z.number().optional(),
  latency: z.object({
    mutations: z.number().optional(),
    commitToVisibleMs: percentiles,
    requestToVisibleMs: percentiles,
    histogramsMs: z.object({ commitToVisible: histogram, requestToVisible: histogram }).optional(),
  }),
  stages: z
    .object({
      events: z.number().optional(),
      mutationToRelayMs: percentiles,
      relayToConsumerMs: percentiles,
      percentilesMs: z.object({ mutationToRelay: percentilePoints, relayToConsumer: percentilePoints }).optional(),
      slowestPercent: z
        .object({
          events: z.number(),
          fromMs: z.number(),
          mutationToRelayMs: z.number(),
          relayToConsumerMs: z.number(),
        })
        .nullish(),
    })
    .optional(),
});

export type GatewayResultFile = z.infer<typeof gatewayResultFile>;
export type GatewayScenarioFile = z.infer<typeof gatewayScenario>;
export type EventResultFile = z.infer<typeof eventResultFile>;
export type Percentiles = z.infer<typeof percentiles>;
export type HistogramFile = z.infer<typeof histogram>;
export type PercentilePointsFile = z.infer<typeof percentilePoints>;
