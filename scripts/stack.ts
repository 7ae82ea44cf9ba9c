import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Shared by `npm start`, the end-to-end tests and benchmarks: run Potluck's services as processes. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The gateway's heap, sized for a process whose garbage is mostly per-request: a young
 * generation of 2 × 16 MiB instead of the 2 × 64 MiB V8 picks on a machine this size, and the
 * old generation collected once it grows half again over what survived the last full
 * collection (V8 lets it grow up to fourfold). Under the benchmark's page scenarios this
 * halved its peak RSS (500–593 → 246–310 MiB) for more of its CPU per request: about a tenth
 * on distinct pages, up to a sixth on the hot page (bench/README.md, "What the profiles
 * suggest", item 6); a tighter bound (35 %) cost a quarter to a half more. Neither flag caps
 * the heap: a larger live set still fits, collected sooner.
 */
const GATEWAY_V8_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'] as const;

/**
 * The subgraphs' young generation, 2 × 16 MiB whatever the machine: under a 512 MiB memory limit, as
 * their pods run, V8 otherwise keeps it to about 8 MiB and they spent half again as much CPU per
 * distinct page (item 26); outside one it picks 2 × 64 MiB, and the comments subgraph held
 * 526–543 MiB under the distinct pages, over its pods' limit (420–429 with this, for the same
 * CPU; the gateway's second flag would take it to 263 MiB for a sixth more).
 */
const SUBGRAPH_V8_FLAGS = ['--max-semi-space-size=16'] as const;

export const SERVICES = {
  recipes: {
    entry: 'subgraphs/recipes/src/main.ts',
    migrations: 'subgraphs/recipes/prisma/migrations',
    v8Flags: SUBGRAPH_V8_FLAGS,
  },
  comments: {
    entry: 'subgraphs/comments/src/main.ts',
    migrations: 'subgraphs/comments/prisma/migrations',
    v8Flags: SUBGRAPH_V8_FLAGS,
  },
  gateway: { entry: 'gateway/src/main.ts', v8Flags: GATEWAY_V8_FLAGS },
} as const;

export type ServiceName = keyof typeof SERVICES;

/**
 * What follows `node` to run a service: its V8 flags, tsx, its entry point. `npm start`, the
 * tests and the benchmarks run exactly this; the compose file, the Kubernetes manifests and
 * the image's default command spell it out, and their tests hold them to it.
 */
export function nodeArgsOf(name: ServiceName): string[] {
  return [...SERVICES[name].v8Flags, '--import', 'tsx', SERVICES[name].entry];
}

/** The service whose entry point `entry` is, if any (scripts and commands are not services). */
export function serviceOfEntry(entry: string): ServiceName | undefined {
  return (Object.keys(SERVICES) as ServiceName[]).find((name) => SERVICES[name].entry === entry);
}

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

/** Starts one service as `nodeArgsOf` says; each output line is passed to `onLine` (prefixing, capture). */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  onLine: (name: ServiceName, line: string) => void,
  { detached = false }: SpawnOptions = {},
): ServiceProcess {
  const child = spawn(process.execPath, nodeArgsOf(name), {
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
