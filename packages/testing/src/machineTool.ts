import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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

/**
 * A describe block of checks by a machine tool run in `cwd`: skipped on a machine without the
 * tool, but in CI (which installs it) its first test fails, naming how to install it.
 */
export function describeWithTool(
  tool: string,
  install: string,
  name: string,
  checks: (run: (...args: string[]) => ToolRun) => void,
  cwd: string,
): void {
  const run = (...args: string[]) => runTool(tool, args, cwd);
  const available = !run('--version').missing;
  describe.skipIf(!available && !process.env.CI)(name, () => {
    it('has the tool installed', () => {
      expect(available, `${tool} is missing: ${install}`).toBe(true);
    });
    checks(run);
  });
}
