import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithTool } from '@potluck/testing';

const DIR = fileURLToPath(new URL('..', import.meta.url));

// Prometheus's own checker (Debian: apt-get install prometheus; .ci/run installs it).
describeWithTool(
  'promtool',
  'apt-get install prometheus',
  'promtool on deploy/prometheus',
  (promtool) => {
    it('accepts the rules (promtool check rules)', () => {
      const run = promtool('check', 'rules', 'alerts.yml');
      expect(run.ok, run.output).toBe(true);
    });

    it('fires each alert on the recorded series that should, and only then (promtool test rules)', () => {
      const run = promtool('test', 'rules', 'alerts.test.yml');
      expect(run.ok, run.output).toBe(true);
    });
  },
  DIR,
);
