import { describe, expect, it } from 'vitest';
import { checkReadiness, downChecksOf, type ReadinessCheck } from '../src/http/readiness.js';

const up = (name: string, details?: Record<string, unknown>): ReadinessCheck => ({ name, check: async () => details });
const down = (name: string, reason: string): ReadinessCheck => ({
  name,
  check: async () => {
    throw new Error(reason);
  },
});

describe('checkReadiness', () => {
  it('is ready when every check passes, with each check’s details beside its status', async () => {
    const report = await checkReadiness([up('database'), up('supergraph', { hash: 'abc', status: 'ignored' })], 100);
    expect(report).toEqual({
      status: 'ready',
      checks: {
        database: { status: 'up', latencyMs: expect.any(Number) },
        supergraph: { status: 'up', latencyMs: expect.any(Number), hash: 'abc' },
      },
    });
  });

  it('is not ready when one check fails or does not answer in time, and says why', async () => {
    const silent: ReadinessCheck = { name: 'broker', check: () => new Promise(() => undefined) };
    const report = await checkReadiness([up('database'), down('outbox', 'oldest row is 90 s old'), silent], 50);
    expect(report.status).toBe('not_ready');
    expect(report.checks.outbox).toMatchObject({ status: 'down', error: 'oldest row is 90 s old' });
    expect(report.checks.broker).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });

  it('is degraded, not unready, when only checks the service can serve without fail', async () => {
    const broker: ReadinessCheck = { ...down('broker', 'not connected to RabbitMQ'), required: false };
    const degraded = await checkReadiness([up('database'), broker], 50);
    expect(degraded.status).toBe('degraded');
    expect(degraded.checks.broker).toMatchObject({ status: 'down', error: 'not connected to RabbitMQ' });
    expect(downChecksOf(degraded)).toBe('broker (not connected to RabbitMQ)');
    expect((await checkReadiness([down('database', 'refused'), broker], 50)).status).toBe('not_ready');
    expect((await checkReadiness([up('database'), { ...up('broker'), required: false }], 50)).status).toBe('ready');
  });

  it('asks a function for the current checks on every probe', async () => {
    let checks = [up('recipes')];
    const current = () => checks;
    expect(Object.keys((await checkReadiness(current, 50)).checks)).toEqual(['recipes']);
    checks = [up('recipes'), up('comments')];
    expect(Object.keys((await checkReadiness(current, 50)).checks)).toEqual(['recipes', 'comments']);
  });
});
