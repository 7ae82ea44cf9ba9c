import { z } from 'zod';
import { envVar, parseEnv, type Env } from '@potluck/service';
import { localServers, seconds, whole } from '../configFields.js';

const schema = z.object({
  /** Every configuration is measured this many times, the configurations interleaved, so drift hits all alike. */
  BENCH_ROUNDS: whole(3),
  /** Events queued in the recipes outbox for each relay and consumer measurement. */
  BENCH_BACKLOG: whole(10_000),
  /** Measured seconds per gateway configuration and query, split evenly over the rounds. */
  BENCH_SECONDS: seconds(24),
  /** Unmeasured load before each gateway measurement. */
  BENCH_WARMUP_SECONDS: seconds(2),
  /** Connections in total, split evenly over the gateways of a configuration. */
  BENCH_CONNECTIONS: whole(50),
  /** The gateways' and subgraphs' log level in the gateway part (info: as `npm start`). */
  BENCH_LOG_LEVEL: envVar.logLevel(),
  /** Which parts to run: `events`, `gateways` or both (comma-separated). */
  BENCH_PARTS: envVar
    .list()
    .pipe(z.array(z.enum(['events', 'gateways'])).min(1))
    .default(['events', 'gateways']),
  BENCH_RESULTS_DIR: z.string().optional(),
  ...localServers,
});

/** `npm run bench:replicas`' settings; the defaults are the full run (about ten minutes). */
export function loadReplicaBenchConfig(env: Env) {
  return parseEnv(schema, env);
}

export type ReplicaBenchConfig = ReturnType<typeof loadReplicaBenchConfig>;
