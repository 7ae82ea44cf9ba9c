import { describe, expect, it } from 'vitest';
import { ContractViolation } from '@potluck/messaging';
import { PoisonMessage, classify, decideFailure, failureHistory, retryDelayMs } from '../src/index.js';

/** The shape Prisma 7 with @prisma/adapter-pg throws (seen against a closed port and a terminated backend). */
function prismaError(code: string, cause: Record<string, unknown>) {
  const driverAdapterError = Object.assign(new Error(String(cause.kind)), { name: 'DriverAdapterError', cause });
  return Object.assign(new Error('Invalid `prisma.$executeRaw()` invocation'), {
    name: 'PrismaClientKnownRequestError',
    code,
    clientVersion: '7.10.0',
    meta: { driverAdapterError },
  });
}

const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code}`), { code, syscall: 'connect', errno: -1 });
const pgError = (code: string) => Object.assign(new Error('from postgres'), { code, severity: 'ERROR' });

describe('classify', () => {
  it('calls an unreachable, restarting or busy database transient, however it is wrapped', () => {
    const transient = [
      prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }),
      prismaError('P2010', { kind: 'postgres', code: '57P01', originalCode: '57P01' }),
      prismaError('P2010', { kind: 'TransactionWriteConflict', originalCode: '40P01' }),
      prismaError('P2010', { kind: 'postgres', code: '57014', originalCode: '57014' }),
      Object.assign(new Error('Timed out fetching a new connection from the connection pool'), { code: 'P2024' }),
      Object.assign(new Error('Transaction API error: Unable to start a transaction in the given time.'), {
        code: 'P2028',
      }),
      new Error('Connection terminated unexpectedly'),
      ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].map(socketError),
      new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], 'connect failed'),
      ...['08006', '08001', '57P03', '53300', '55P03', '40001'].map(pgError),
      new Error('handler gave up', { cause: pgError('08003') }),
    ];
    expect(transient.map(classify)).toEqual(transient.map(() => 'transient'));
  });

  it('parks poison, and calls everything else unknown', () => {
    expect(classify(new ContractViolation('bad'))).toBe('poison');
    expect(classify(new PoisonMessage('broken invariant'))).toBe('poison');
    expect(classify(prismaError('P2010', { kind: 'UniqueConstraintViolation', originalCode: '23505' }))).toBe(
      'unknown',
    );
    expect(
      classify(
        Object.assign(new Error('Transaction already closed: the timeout for this transaction was 5000 ms'), {
          code: 'P2028',
        }),
      ),
    ).toBe('unknown');
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('unknown');
    expect(classify(undefined)).toBe('unknown');
    expect(classify({ code: 42, kind: ['ECONNRESET'] })).toBe('unknown');
  });

  it('survives an error whose cause points back at itself', () => {
    const looped: Error & { cause?: unknown } = new Error('me again');
    looped.cause = looped;
    expect(classify(looped)).toBe('unknown');
  });
});

describe('decideFailure', () => {
  const limits = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

  it('retries a transient failure forever, with capped backoff, without using up attempts', () => {
    expect(decideFailure('transient', { attempts: 0, retries: 0 }, limits)).toEqual({
      action: 'retry',
      attempts: 0,
      retries: 1,
      delayMs: 1000,
    });
    expect(decideFailure('transient', { attempts: 4, retries: 500 }, limits)).toEqual({
      action: 'retry',
      attempts: 4,
      retries: 501,
      delayMs: 30_000,
    });
  });

  it('parks an unknown error after the attempt limit, and poison at once', () => {
    expect(decideFailure('unknown', { attempts: 3, retries: 9 }, limits)).toMatchObject({
      action: 'retry',
      attempts: 4,
    });
    expect(decideFailure('unknown', { attempts: 4, retries: 9 }, limits)).toEqual({
      action: 'park',
      reason: 'failed 5 times',
      attempts: 5,
    });
    expect(decideFailure('poison', { attempts: 0, retries: 0 }, limits)).toMatchObject({
      action: 'park',
      reason: 'poison',
    });
  });
});

describe('retryDelayMs', () => {
  it('doubles, stays under its cap, and is always a whole number of at least 1 ms', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(retry, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1_000_000, 1000, 30_000)).toBe(30_000);
    for (const [retry, base] of [
      [Number.NaN, 1000],
      [Infinity, 1000],
      [-3, 1000],
      [2.5, 0.3],
      [1, Number.NaN],
      [1, 0],
    ] as const) {
      const delay = retryDelayMs(retry, base, 30_000);
      expect(Number.isSafeInteger(delay) && delay >= 1, `retry ${retry}, base ${base}: ${delay}`).toBe(true);
    }
  });
});

describe('failureHistory', () => {
  const retryQueue = 'p.comments.retry';
  const fromRetry = (count: unknown = 1) => [
    { queue: retryQueue, reason: 'expired', count, exchange: '', 'routing-keys': [retryQueue] },
  ];

  it('believes our counters only on a delivery the broker brought back from the retry queue', () => {
    expect(failureHistory({ 'x-death': fromRetry(), 'potluck-attempts': 2, 'potluck-retries': 7 }, retryQueue)).toEqual(
      { attempts: 2, retries: 7 },
    );
    expect(failureHistory({ 'potluck-attempts': 4, 'potluck-retries': 4 }, retryQueue)).toEqual({
      attempts: 0,
      retries: 0,
    });
    expect(
      failureHistory(
        { 'x-death': [{ queue: 'elsewhere', reason: 'expired', count: 9 }], 'potluck-attempts': 4 },
        retryQueue,
      ),
    ).toEqual({ attempts: 0, retries: 0 });
  });

  it('takes the broker’s count when it is higher (RabbitMQ 3.x re-counts a re-published x-death)', () => {
    expect(failureHistory({ 'x-death': fromRetry(3) }, retryQueue)).toEqual({ attempts: 0, retries: 3 });
  });

  it('counts garbage as nothing and never more attempts than retries', () => {
    const garbage = ['abc', -5, 2.5, Number.NaN, Infinity, 1e300, null, {}, [], Buffer.from('7'), '3'];
    for (const value of garbage) {
      const history = failureHistory(
        { 'x-death': fromRetry(), 'potluck-attempts': value, 'potluck-retries': value, 'x-potluck-attempts': value },
        retryQueue,
      );
      expect(history, String(value)).toEqual({ attempts: 0, retries: 1 });
    }
    for (const xDeath of ['junk', ['junk', 3, null], fromRetry('abc'), fromRetry(-1), { queue: retryQueue }]) {
      expect(failureHistory({ 'x-death': xDeath, 'potluck-attempts': 3 }, retryQueue)).toEqual({
        attempts: 0,
        retries: 0,
      });
    }
    expect(
      failureHistory({ 'x-death': fromRetry(), 'potluck-attempts': 50, 'potluck-retries': 2 }, retryQueue),
    ).toEqual({ attempts: 2, retries: 2 });
    for (const headers of [undefined, null, 'x', [], Buffer.from('{}')]) {
      expect(failureHistory(headers, retryQueue)).toEqual({ attempts: 0, retries: 0 });
    }
  });
});
