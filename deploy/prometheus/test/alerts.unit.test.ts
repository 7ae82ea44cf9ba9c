import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { potluckMetricTypes } from '../../../docs/test/potluckMetrics.js';

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const rules = (parse(read('alerts.yml')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap(
  (group) => group.rules,
);
const tests = parse(read('alerts.test.yml')) as {
  rule_files: string[];
  tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
};

/** A histogram's series carry `_bucket`, `_sum` and `_count`; the family is the name without them. */
function familyOf(series: string, types: Map<string, string>): string {
  const family = series.replace(/_(bucket|sum|count)$/, '');
  return types.get(family) === 'histogram' ? family : series;
}

describe('deploy/prometheus/alerts.yml', () => {
  it('has the four alerts the operations docs promise, each with a severity, a summary and a description', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'PotluckMessagesParked',
        'PotluckOutboxStale',
        'PotluckEventLagHigh',
        'PotluckHighErrorRate',
      ]),
    );
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Potluck[A-Z]\w+$/);
      expect(rule.expr, rule.alert).toBeTruthy();
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual(['description', 'summary']);
      if (rule.for) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('names only metrics Potluck serves, with a histogram’s suffixes where it reads one', async () => {
    const types = await potluckMetricTypes();
    for (const rule of rules) {
      for (const [series] of rule.expr!.matchAll(/\bpotluck_\w+/g)) {
        expect(types.has(familyOf(series, types)), `${rule.alert}: ${series}`).toBe(true);
        if (types.get(series) === 'histogram') expect.fail(`${rule.alert}: ${series} needs _bucket, _sum or _count`);
      }
    }
  });

  it('has a promtool test that fires every alert (alerts.test.yml)', () => {
    expect(tests.rule_files).toEqual(['alerts.yml']);
    const fired = new Set(
      tests.tests
        .flatMap((test) => test.alert_rule_test.filter((check) => check.exp_alerts.length > 0))
        .map((check) => check.alertname),
    );
    expect([...fired].sort()).toEqual(rules.map((rule) => rule.alert).sort());
  });
});
