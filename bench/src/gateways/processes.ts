import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/stack.js';

/** A process the benchmark started, with its output going to a file rather than through the load generator. */
export interface BenchProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

/**
 * What every benchmarked process runs with, Potluck's and the peers' alike: libraries in
 * production mode, as the image sets it (graphql-js, for one, skips a development check on
 * every type test: bench/README, `npm run bench:pair`).
 */
export const AS_DEPLOYED = { NODE_ENV: 'production' };

/** Runs `node <args>` with `AS_DEPLOYED` and `env` added; stdout and stderr go to `<logDir>/<name>.log`. */
export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: { logDir: string; cwd?: string },
): BenchProcess {
  const logFile = path.join(options.logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...AS_DEPLOYED, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, logFile, exited };
}

/** SIGTERM, then SIGKILL after `timeoutMs`. */
export async function stopProcess(running: BenchProcess, timeoutMs = 15_000): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The process and every process it started (workers of a forking gateway), from /proc (Linux). */
function processTree(pid: number, depth = 0): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [pid];
  }
  return [pid, ...(depth < 3 ? children.flatMap((child) => processTree(child, depth + 1)) : children)];
}

/** Sums `read` over a process tree; null when the process is gone or /proc is absent. */
function sumOverTree(pid: number | undefined, read: (pid: number) => number | null, tree: boolean): number | null {
  if (pid === undefined) return null;
  const values = (tree ? processTree(pid) : [pid]).map(read);
  return values[0] === null ? null : values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

function rssKiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Resident set size in MiB of a process (with `tree`, and of its children). */
export function rssMiB(pid: number | undefined, tree = true): number | null {
  const kib = sumOverTree(pid, rssKiB, tree);
  return kib === null ? null : Math.round(kib / 102.4) / 10;
}

const TICKS_PER_SECOND = 100;

function ownCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process (with `tree`, and its children) has used so far, ms (10 ms resolution). */
export function cpuMs(pid: number | undefined, tree = true): number | null {
  return sumOverTree(pid, ownCpuMs, tree);
}

/** The last lines of a process's log, for an error message when it failed to start. */
export function tailOf(running: BenchProcess, lines = 20): string {
  try {
    return readFileSync(running.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
