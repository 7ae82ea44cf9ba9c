import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { potluckMetricTypes } from './potluckMetrics.js';

const OPERATIONS = readFileSync(new URL('../operations.md', import.meta.url), 'utf8');

/** The `## Metrics` section of docs/operations.md, up to the next `## `. */
function metricsSection(): string {
  const start = OPERATIONS.indexOf('\n## Metrics\n');
  const end = OPERATIONS.indexOf('\n## ', start + 1);
  if (start < 0) throw new Error('docs/operations.md has no "## Metrics" section');
  return OPERATIONS.slice(start, end < 0 ? undefined : end);
}

describe('docs/operations.md#metrics', () => {
  it('has a row for every metric Potluck registers, with its type, and names no other', async () => {
    const types = await potluckMetricTypes();
    const section = metricsSection();
    const rows = new Map(
      [...section.matchAll(/^\| `(potluck_\w+)`\s*\| (\w+)/gm)].map(([, name, type]) => [name!, type!]),
    );
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(types));
    const named = new Set(
      [...section.matchAll(/\bpotluck_\w+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, '')),
    );
    expect([...named].filter((name) => !types.has(name))).toEqual([]);
  });
});
