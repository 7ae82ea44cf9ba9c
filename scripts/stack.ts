import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Shared by `npm start`, the end-to-end tests and benchmarks: run Potluck's services as processes. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const SERVICES = {
  recipes: { entry: 'subgraphs/recipes/src/main.ts', migrations: 'subgraphs/recipes/prisma/migrations' },
  comments: { entry: 'subgraphs/comments/src/main.ts', migrations: 'subgraphs/comments/prisma/migrations' },
  gateway: { entry: 'gateway/src/main.ts' },
} as const;

export type ServiceName = keyof typeof SERVICES;

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const COLORS: Record<ServiceName, string> = { recipes: '\u001b[32m', comments: '\u001b[35m', gateway: '\u001b[36m' };

export interface SpawnOptions {
  /**
   * A process group (and session) of its own, out of reach of the terminal's Ctrl-C: the
   * spawner alone decides when and in which order the service stops, and must kill it when
   * it exits first. Off by default, so a test run or benchmark interrupted by Ctrl-C takes
   * its services with it.
   */
  detached?: boolean;
}

/** Starts one service with tsx; each output line is passed to `onLine` (prefixing, capture). */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  onLine: (name: ServiceName, line: string) => void,
  { detached = false }: SpawnOptions = {},
): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVICES[name].entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => onLine(name, line));
  }
  // 'close' rather than 'exit': by then every line the service printed has reached `onLine`.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { name, child, exited };
}

export function prefixedLine(name: ServiceName, line: string, color = process.stdout.isTTY): string {
  const label = `[${name}]`.padEnd(11);
  return color ? `${COLORS[name]}${label}\u001b[0m ${line}` : `${label} ${line}`;
}

export function hasExited(service: ServiceProcess): boolean {
  return service.child.exitCode !== null || service.child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
export async function stopService(service: ServiceProcess, timeoutMs = 15_000): Promise<number | null> {
  if (hasExited(service)) return service.child.exitCode;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  try {
    return await service.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops the gateway first, then the subgraphs: the gateway drains its requests in flight,
 * which still need the subgraphs. Resolves with the exit codes in the order of `services`.
 */
export async function stopInOrder(services: ServiceProcess[]): Promise<Array<number | null>> {
  const isGateway = (service: ServiceProcess) => service.name === 'gateway';
  await Promise.all(services.filter(isGateway).map((service) => stopService(service)));
  await Promise.all(services.filter((service) => !isGateway(service)).map((service) => stopService(service)));
  return Promise.all(services.map((service) => service.exited));
}

/** Polls a URL until it answers 200 or the deadline passes. */
export async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
  await pollUntil(url, timeoutMs, async (response) => response.ok);
}

/**
 * Polls a `/health/ready` URL until the service reports `ready`: every dependency up, not
 * merely serving (`degraded` is HTTP 200 too, e.g. while its broker connection is still coming up).
 */
export async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    url,
    timeoutMs,
    async (response) => ((await response.json()) as { status?: string }).status === 'ready',
  );
}

async function pollUntil(
  url: string,
  timeoutMs: number,
  accept: (response: Response) => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (await accept(response)) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}
