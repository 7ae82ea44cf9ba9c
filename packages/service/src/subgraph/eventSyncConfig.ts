import { DEFAULT_DELIVERY_LIMIT } from '@potluck/messaging';
import { z } from 'zod';
import { envVar } from '../config/config.js';

/** The event-sync variables every subgraph reads: `startEventSync`'s settings (`@potluck/messaging`). */
export const eventSyncEnv = {
  AMQP_URL: envVar.url(['amqp', 'amqps']),
  AMQP_PREFIX: envVar.amqpPrefix(),
  AMQP_PREFETCH: z.coerce.number().int().min(1).max(1000).default(100),
  EVENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  EVENT_RETRY_DELAY_MS: envVar.milliseconds(1000),
  /** Larger message bodies are parked as `too-large` unread. */
  EVENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(256 * 1024),
  EVENT_DELIVERY_LIMIT: z.coerce.number().int().min(1).max(1000).default(DEFAULT_DELIVERY_LIMIT),
  /**
   * The RabbitMQ users whose events the consumer applies (the producer's login, checked
   * against each message's broker-validated `userId`); unset: the service's own login.
   */
  EVENT_PUBLISHERS: envVar.list().pipe(z.array(z.string()).min(1, 'must name at least one RabbitMQ user')).optional(),
  OUTBOX_POLL_MS: envVar.milliseconds(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  /** Batches the relay publishes while earlier ones wait for their confirms; each holds a database connection. */
  OUTBOX_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(2),
  OUTBOX_MAX_AGE_MS: envVar.milliseconds(30_000),
  MESSAGE_RETENTION_MS: envVar.retentionMilliseconds(7 * 24 * 3600 * 1000),
  FAILPOINTS: envVar.list().default([]),
};

export type EventSyncConfig = z.infer<z.ZodObject<typeof eventSyncEnv>> & { DATABASE_URL: string };
