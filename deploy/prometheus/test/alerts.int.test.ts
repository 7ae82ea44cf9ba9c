import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTool } from '@potluck/testing';

const DIR = fileURLToPath(new URL('..', import.meta.url));

const promtool = (...args: string[]) => runTool('promtool', args, DIR);

const available = !promtool('--version').missing;

// Prometheus's own checker (Debian: apt-get install prometheus; .ci/run installs it). Without
// it the test is skipped on a developer's machine and fails in CI.
describe.skipIf(!available && !process.env.CI)('promtool on deploy/prometheus', () => {
  it('is installed', () => {
    expect(available, 'promtool is missing: apt-get install prometheus').toBe(true);
  });

  it('accepts the rules (promtool check rules)', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect(run.ok, run.output).toBe(true);
  });

  it('fires each alert on the recorded series that should, and only then (promtool test rules)', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.ok, run.output).toBe(true);
  });
});
