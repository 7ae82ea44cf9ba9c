import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitFor } from '@potluck/testing';
import { REPO_ROOT } from '../scripts/stack.js';

export interface NpmStart {
  /** Every line `npm start` printed, in order. */
  lines: string[];
  /** The three service processes, found by walking the process tree below npm. */
  servicePids: number[];
  /** Ctrl-C in a terminal signals the whole foreground process group. */
  ctrlC(): void;
  /** The same Ctrl-C passed on by npm to its script (what a shell that execs it delivers). */
  forwardCtrlC(): void;
  /** Resolves once npm has exited and nothing holds its output open any more. */
  ended: Promise<void>;
  /** SIGKILL to npm's process group and the services: cleanup after a failed test. */
  kill(): void;
}

/**
 * Runs `npm start` in its own process group, as a terminal would, and waits until it prints
 * `until` (by default, that it is up).
 */
export async function runNpmStart(env: Record<string, string>, until = 'Potluck is up'): Promise<NpmStart> {
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitFor(() => (lines.some((line) => line.includes(until)) ? true : undefined), {
      timeoutMs: 90_000,
      what: `"${until}" in:\n${lines.join('\n')}`,
    });
  } catch (error) {
    signal([-child.pid!], 'SIGTERM');
    throw error;
  }
  const services = descendants(child.pid!).filter((entry) => entry.command.includes('src/main.ts'));
  const servicePids = services.map((entry) => entry.pid);
  // scripts/start.ts is the services' parent (npm's shell, above it, names start.ts too).
  const startPid = services[0]?.ppid;
  return {
    lines,
    servicePids,
    ctrlC: () => process.kill(-child.pid!, 'SIGINT'),
    forwardCtrlC: () => process.kill(startPid!, 'SIGINT'),
    ended,
    kill: () => signal([-child.pid!, ...servicePids], 'SIGKILL'),
  };
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  state: string;
  command: string;
}

function processTable(): ProcessEntry[] {
  const output = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return output.split('\n').flatMap((row) => {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(row);
    return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), state: match[3]!, command: match[4]! }] : [];
  });
}

function descendants(pid: number): ProcessEntry[] {
  const table = processTable();
  const found: ProcessEntry[] = [];
  for (let parents = [pid]; parents.length > 0;) {
    const children = table.filter((entry) => parents.includes(entry.ppid));
    found.push(...children);
    parents = children.map((entry) => entry.pid);
  }
  return found;
}

/** The pids among `pids` still running (a zombie no longer runs). */
export function stillRunning(pids: number[]): number[] {
  const running = processTable().filter((entry) => !entry.state.startsWith('Z'));
  return pids.filter((pid) => running.some((entry) => entry.pid === pid));
}
