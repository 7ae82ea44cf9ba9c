import { GraphQLError } from 'graphql';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from '@potluck/testing';
import { failedCallOutcome, subgraphCallMetrics } from '../src/subgraphMetrics.js';

describe('subgraph call metrics', () => {
  it('names a failed call by the code the data source gave it', () => {
    const coded = (code: string) => new GraphQLError('x', { extensions: { code } });
    expect(failedCallOutcome(coded('SUBGRAPH_TIMEOUT'))).toBe('timeout');
    expect(failedCallOutcome(coded('SUBGRAPH_UNAVAILABLE'))).toBe('unavailable');
    expect(failedCallOutcome(coded('BAD_USER_INPUT'))).toBe('error');
    expect(failedCallOutcome(new Error('socket hang up'))).toBe('error');
  });

  it('has every outcome of a subgraph from its first call, and one timer per subgraph however often asked', async () => {
    const registry = new Registry();
    const timerFor = subgraphCallMetrics(registry);
    const recipes = timerFor('recipes');
    expect(timerFor('recipes')).toBe(recipes);
    recipes.ok(0.02);
    recipes.timeout(5);
    const families = parsePrometheusText(await registry.metrics());
    const name = 'potluck_gateway_subgraph_request_duration_seconds_count';
    expect(sampleValue(families, name, { subgraph: 'recipes', outcome: 'ok' })).toBe(1);
    expect(sampleValue(families, name, { subgraph: 'recipes', outcome: 'timeout' })).toBe(1);
    expect(sampleValue(families, name, { subgraph: 'recipes', outcome: 'unavailable' })).toBe(0);
    expect(sampleValue(families, name, { subgraph: 'comments', outcome: 'ok' })).toBeUndefined();
  });
});
