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

/** Starts one service with tsx; each output line is passed to `onLine` (prefixing, capture). */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  onLine: (name: ServiceName, line: string) => void,
): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVICES[name].entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => onLine(name, line));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}

export function prefixedLine(name: ServiceName, line: string, color = process.stdout.isTTY): string {
  const label = `[${name}]`.padEnd(11);
  return color ? `${COLORS[name]}${label}\u001b[0m ${line}` : `${label} ${line}`;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
export async function stopService(service: ServiceProcess, timeoutMs = 15_000): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  try {
    return await service.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls a URL until it answers 200 or the deadline passes. */
export async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}
