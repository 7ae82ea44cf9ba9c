import { z } from 'zod';
import { envVar, parseEnv, type Env } from '@potluck/service';
import { localServers, seconds, whole } from '../configFields.js';

const schema = z.object({
  /** Measured seconds per scenario, split evenly over the rounds. */
  BENCH_SECONDS: seconds(24),
  /** Unmeasured load before each measurement of each scenario. */
  BENCH_WARMUP_SECONDS: seconds(3),
  /** The comparative scenarios run this many times, interleaved, so drift on a shared machine hits all alike. */
  BENCH_ROUNDS: whole(3),
  BENCH_CONNECTIONS: whole(50),
  /** Requests per page size when counting SQL statements. */
  BENCH_SQL_REQUESTS: whole(20),
  /** Where the JSON result goes; the committed results live in bench/results. */
  BENCH_RESULTS_DIR: z.string().optional(),
  /** The services' log level: info is what `npm start` runs (one line per request, written to a file). */
  BENCH_LOG_LEVEL: envVar.logLevel(),
  /** Hive Gateway's worker count (`--fork`); 1 is its default outside NODE_ENV=production. */
  BENCH_HIVE_FORK: whole(1),
  /** Potluck's three services trace every request and export the spans (OTLP http/protobuf) to a local sink. */
  BENCH_TRACING: envVar.boolean(false),
  /** Only these scenarios (comma-separated ids, e.g. `page:potluck,floor`); all when unset. */
  BENCH_ONLY: envVar.list().optional(),
  ...localServers,
});

/** `npm run bench`'s settings; the defaults are the full run, `npm run bench:smoke` shortens them. */
export function loadBenchConfig(env: Env) {
  return parseEnv(schema, env);
}

export type BenchConfig = ReturnType<typeof loadBenchConfig>;
