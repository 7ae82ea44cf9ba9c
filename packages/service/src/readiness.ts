/** One dependency a service needs to do its job, e.g. its database. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency works; rejects with a reason when it does not. */
  check(): Promise<void>;
}

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
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
  try {
    await withTimeout(check.check(), timeoutMs);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: message };
  }
}

/** Runs every check at once, each bounded by `timeoutMs`, and names the ones that are down. */
export async function checkReadiness(checks: ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (check) => [check.name, await runCheck(check, timeoutMs)] as const),
  );
  const ready = results.every(([, result]) => result.status === 'up');
  return { status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) };
}
