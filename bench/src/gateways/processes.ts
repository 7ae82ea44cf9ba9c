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

/** Runs `node [--import tsx] <args>` with `env` added; stdout and stderr go to `<logDir>/<name>.log`. */
export function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: { logDir: string; tsx?: boolean; cwd?: string },
): BenchProcess {
  const logFile = path.join(options.logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...(options.tsx === false ? [] : ['--import', 'tsx']), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...env },
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

/** Resident set size in MiB from /proc (Linux), or null when the process is gone or /proc is absent. */
export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

const TICKS_PER_SECOND = 100;

/** CPU time (user + system) the process has used so far, in ms, from /proc (Linux); null when unknown. */
export function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The last lines of a process's log, for an error message when it failed to start. */
export function tailOf(running: BenchProcess, lines = 20): string {
  try {
    return readFileSync(running.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
