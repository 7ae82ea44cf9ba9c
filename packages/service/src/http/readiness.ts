/** Facts a check reports beside its status, e.g. `{ hash, loadedAt }` or `{ oldestAgeMs }`. */
export type CheckDetails = Record<string, unknown>;

/**
 * One dependency a service needs to do its job, e.g. its database. A service's list of
 * checks is open: each dependency (database, broker, consumer, outbox, supergraph,
 * subgraph) adds its own.
 */
export interface ReadinessCheck {
  name: string;
  /**
   * False for a dependency the service keeps serving without (the broker: writes wait in the
   * outbox): its failure is reported and makes the service `degraded`, still ready for traffic.
   * Default true: the service cannot do its job without it (its database, the supergraph).
   */
  required?: boolean;
  /**
   * Resolves when the dependency works, optionally with details to report; rejects with a
   * reason when it does not.
   */
  check(): Promise<void | CheckDetails>;
}

/** A fixed list, or a function asked on every probe when the dependencies can change (a reloaded supergraph). */
export type ReadinessChecks = ReadinessCheck[] | (() => ReadinessCheck[]);

export type CheckResult = CheckDetails & {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
};

/**
 * `ready`: everything up. `degraded`: a dependency it can serve without is down; still ready
 * for traffic (HTTP 200). `not_ready`: a required one is down (HTTP 503).
 */
export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: Record<string, CheckResult>;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const details = (await withTimeout(check.check(), timeoutMs)) ?? {};
    return { ...details, status: 'up', latencyMs: latency() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'down', latencyMs: latency(), error: message };
  }
}

/** The checks a report names as down, e.g. `broker (not connected to RabbitMQ)`; empty when none. */
export function downChecksOf(report: Pick<ReadinessReport, 'checks'>): string {
  return Object.entries(report.checks)
    .filter(([, check]) => check.status !== 'up')
    .map(([name, check]) => `${name}${check.error ? ` (${check.error})` : ''}`)
    .join(', ');
}

/** Runs every check at once, each bounded by `timeoutMs`, and names the ones that are down. */
export async function checkReadiness(checks: ReadinessChecks, timeoutMs: number): Promise<ReadinessReport> {
  const list = typeof checks === 'function' ? checks() : checks;
  const results = await Promise.all(list.map(async (check) => [check, await runCheck(check, timeoutMs)] as const));
  const down = results.filter(([, result]) => result.status === 'down').map(([check]) => check);
  const status = down.some((check) => check.required !== false) ? 'not_ready' : down.length > 0 ? 'degraded' : 'ready';
  return { status, checks: Object.fromEntries(results.map(([check, result]) => [check.name, result])) };
}
