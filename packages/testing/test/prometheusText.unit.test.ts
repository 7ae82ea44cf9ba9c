import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '../src/index.js';

const GOOD = [
  '# HELP jobs_total Jobs done',
  '# TYPE jobs_total counter',
  'jobs_total{queue="a \\"b\\"",kind="x"} 3',
  'jobs_total{queue="c",kind="x"} 1.5e3',
  '',
  '# HELP wait_seconds Waits',
  '# TYPE wait_seconds histogram',
  'wait_seconds_bucket{le="0.1",op="x"} 1',
  'wait_seconds_bucket{le="+Inf",op="x"} 2',
  'wait_seconds_sum{op="x"} 0.7',
  'wait_seconds_count{op="x"} 2',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads families, labels (escapes included) and values', () => {
    const families = parsePrometheusText(GOOD);
    expect([...families.keys()]).toEqual(['jobs_total', 'wait_seconds']);
    expect(families.get('wait_seconds')?.type).toBe('histogram');
    expect(sampleValue(families, 'jobs_total', { queue: 'a "b"' })).toBe(3);
    expect(sampleValue(families, 'jobs_total', { queue: 'c' })).toBe(1500);
    expect(sampleValue(families, 'wait_seconds_count')).toBe(2);
    expect(sampleValue(families, 'wait_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(sampleValue(families, 'jobs_total', { queue: 'none' })).toBeUndefined();
    expect(() => sampleValue(families, 'jobs_total')).toThrow('2 samples');
  });

  it.each([
    ['a sample without # TYPE', 'x 1'],
    ['a family without # HELP', '# TYPE x gauge\nx 1'],
    ['a bad name', '# HELP 1x h\n# TYPE 1x gauge\n1x 1'],
    ['a value that is no number', '# HELP x h\n# TYPE x gauge\nx one'],
    ['an unterminated label', '# HELP x h\n# TYPE x gauge\nx{a="1} 1'],
    ['a label twice', '# HELP x h\n# TYPE x gauge\nx{a="1",a="2"} 1'],
    ['a series twice', '# HELP x h\n# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2'],
    ['an unknown type', '# HELP x h\n# TYPE x meter\nx 1'],
    [
      'falling buckets',
      GOOD.replace('le="+Inf",op="x"} 2', 'le="+Inf",op="x"} 0').replace('count{op="x"} 2', 'count{op="x"} 0'),
    ],
    ['+Inf unlike _count', GOOD.replace('count{op="x"} 2', 'count{op="x"} 3')],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it('reads what prom-client writes', async () => {
    const registry = new Registry();
    new Counter({ name: 'c_total', help: 'c', labelNames: ['a'], registers: [registry] }).inc({ a: 'x\ny\\' }, 2);
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames: ['b'], registers: [registry] });
    histogram.observe({ b: '1' }, 0.2);
    histogram.observe({ b: '1' }, 20);
    const families = parsePrometheusText(await registry.metrics());
    expect(sampleValue(families, 'c_total', { a: 'x\ny\\' })).toBe(2);
    expect(sampleValue(families, 'h_seconds_bucket', { b: '1', le: '0.25' })).toBe(1);
    expect(sampleValue(families, 'h_seconds_count', { b: '1' })).toBe(2);
  });
});
