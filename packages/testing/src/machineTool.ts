import { spawnSync } from 'node:child_process';

export interface ToolRun {
  /** The tool is not installed on this machine (tests skip locally and fail in CI). */
  missing: boolean;
  ok: boolean;
  /** stdout then stderr, for an assertion's message. */
  output: string;
}

/** Runs a machine tool (promtool, kubectl…) to completion in `cwd`. */
export function runTool(command: string, args: string[], cwd: string): ToolRun {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const missing = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { missing, ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}
