/**
 * The containers' healthcheck, since node:24-slim has no curl: exits 0 when the process in
 * this container answers 2xx on a health route (default `/health/live`) on its `PORT`.
 * Runs with plain Node (type stripping), so a probe costs no tsx start-up:
 * `node docker/healthcheck.ts /health/ready`.
 */
export function healthUrl(env: Record<string, string | undefined>, route = '/health/live'): URL {
  const port = Number(env.PORT ?? '4000');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be a port number (got "${env.PORT}")`);
  if (!route.startsWith('/health/')) throw new Error(`the route must start with /health/ (got "${route}")`);
  return new URL(route, `http://127.0.0.1:${port}`);
}

export async function probe(url: URL, timeoutMs = 3000): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? undefined : `${url} answered ${response.status}: ${await response.text()}`;
  } catch (error) {
    return `${url}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

if (import.meta.main) {
  const problem = await probe(healthUrl(process.env, process.argv[2]));
  if (problem) console.error(problem);
  process.exit(problem ? 1 : 0);
}
