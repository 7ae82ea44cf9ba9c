import { describeWithTool, runTool } from '@potluck/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { asPromql, loadDashboards, promQueries } from './dashboards.js';
import { recordedScrape, replayed, SCRAPED_SERVICES } from './recordedScrape.js';
import { REPO_ROOT } from './stackFiles.js';

/**
 * Prometheus's own tool on the observability profile: the configuration is valid, and every
 * query of the Potluck dashboard returns data over a recorded scrape of the three services
 * (docker/test/scrape/), replayed as `promtool test rules` input with alerts.yml loaded, so
 * the firing-alerts panel has ALERTS to read.
 */
const promtool = (...args: string[]) => runTool('promtool', args, REPO_ROOT);

const scratch = mkdtempSync(path.join(tmpdir(), 'potluck-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** 40 scrapes 15 s apart (deploy/prometheus/prometheus.yml's interval): 10 minutes of steady traffic. */
const SCRAPE_INTERVAL = '15s';
const STEPS = 40;
const EVAL_TIME = '10m';
/** The ports the services serve /metrics on in the compose stack (observability.unit.test.ts checks them). */
const PORTS: Record<string, number> = { gateway: 4000, recipes: 4001, comments: 4002 };

const inputSeries = SCRAPED_SERVICES.flatMap((service) =>
  replayed(recordedScrape(service), { job: service, instance: `${service}:${PORTS[service]}` }, STEPS),
);
const potluck = loadDashboards().get('potluck.json')!;
const queries = promQueries(potluck);

/** The PromQL of one panel's target, as Prometheus receives it. */
function queryOf(title: string, refId = 'A'): string {
  const found = queries.find(({ where }) => where === `${title} (${refId})`);
  if (!found) throw new Error(`no panel "${title}" with a target ${refId}`);
  return asPromql(found.expr);
}

interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

/** Runs `promtool test rules` over the replayed scrape, with the alerting rules loaded. */
function runExprTests(tests: ExprTest[], name: string) {
  const file = path.join(scratch, `${name}.test.yml`);
  const unitTest = {
    rule_files: [path.join(REPO_ROOT, 'deploy/prometheus/alerts.yml')],
    evaluation_interval: SCRAPE_INTERVAL,
    tests: [{ interval: SCRAPE_INTERVAL, input_series: inputSeries, promql_expr_test: tests }],
  };
  writeFileSync(file, stringify(unitTest, { lineWidth: 0 }));
  return promtool('test', 'rules', file);
}

/** The series an expression returns, each with the value 1: which ones, whatever their values. */
const seriesOf = (expr: string) => `(${expr}) * 0 + 1`;

// Debian's prometheus package has promtool; .ci/run installs it.
describeWithTool(
  'promtool',
  'apt-get install prometheus',
  'promtool on the observability profile',
  () => {
    it('accepts deploy/prometheus/prometheus.yml and the rules it loads (promtool check config)', () => {
      const run = promtool('check', 'config', 'deploy/prometheus/prometheus.yml');
      expect(run.ok, run.output).toBe(true);
      expect(run.output).toContain('SUCCESS: 1 rule files found');
    });

    it('finds a value for every query of the Potluck dashboard in a recorded scrape of the three services', () => {
      expect(queries.length).toBeGreaterThan(20);
      // At least one sample that is a number (not NaN, as a quantile over no traffic would be).
      const tests = queries.map(({ expr }) => ({
        expr: `count((${asPromql(expr)}) >= 0) > bool 0`,
        eval_time: EVAL_TIME,
        exp_samples: [{ labels: '{}', value: 1 }],
      }));
      const run = runExprTests(tests, 'every-panel');
      const panels = queries.map(({ where, expr }) => `${where}: ${asPromql(expr)}`).join('\n');
      expect(run.ok, `${run.output}\nThe panels' queries:\n${panels}`).toBe(true);
    });

    it('shows the recorded trouble where an operator looks: the parked message, its alert, the unroutable publish, the retry', () => {
      const run = runExprTests(
        [
          {
            expr: queryOf('Parked messages'),
            eval_time: EVAL_TIME,
            exp_samples: [
              { labels: '{job="comments"}', value: 1 },
              { labels: '{job="recipes"}', value: 0 },
            ],
          },
          {
            expr: queryOf('Firing alerts'),
            eval_time: EVAL_TIME,
            exp_samples: [
              { labels: '{alertname="PotluckMessagesParked", job="comments", severity="warning"}', value: 1 },
            ],
          },
          {
            expr: seriesOf(queryOf('Publish failures/s')),
            eval_time: EVAL_TIME,
            exp_samples: [{ labels: '{job="recipes", reason="unroutable"}', value: 1 }],
          },
          {
            expr: seriesOf(queryOf('Retries and parks/s', 'A')),
            eval_time: EVAL_TIME,
            exp_samples: [{ labels: '{job="comments", kind="transient"}', value: 1 }],
          },
          {
            expr: seriesOf(queryOf('Retries and parks/s', 'B')),
            eval_time: EVAL_TIME,
            exp_samples: [{ labels: '{job="comments", reason="malformed-json"}', value: 1 }],
          },
          {
            expr: queryOf('Broker'),
            eval_time: EVAL_TIME,
            exp_samples: [
              { labels: '{job="comments"}', value: 1 },
              { labels: '{job="recipes"}', value: 1 },
            ],
          },
        ],
        'trouble',
      );
      expect(run.ok, run.output).toBe(true);
    });
  },
  REPO_ROOT,
);
