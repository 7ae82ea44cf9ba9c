import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAdmissionLine, type Turn } from '@potluck/service';

/** A client the test controls: it can go quietly (its close not yet seen) or leave (its close seen). */
function testClient() {
  let gone = false;
  let left: (() => void) | undefined;
  return {
    client: {
      gone: () => gone,
      onLeave(callback: () => void) {
        left = callback;
        return () => (left = undefined);
      },
    },
    goQuietly: () => (gone = true),
    leave: () => {
      gone = true;
      left?.();
    },
    watched: () => left !== undefined,
  };
}

let settledSoFar = 0;

/** Takes a turn and records what the request got, and when, once it gets it. */
function arrive(line: ReturnType<typeof createAdmissionLine>, client = testClient()) {
  const got: { turn?: Turn; at?: number } = {};
  void line.take(client.client).then((turn) => Object.assign(got, { turn, at: settledSoFar++ }));
  return { ...client, got };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('the admission line', () => {
  it('admits up to the limit at once, then in arrival order as turns come back', async () => {
    const line = createAdmissionLine({ maxInFlight: 2, maxQueued: 10, queueTimeoutMs: 1000 });
    const requests = Array.from({ length: 5 }, () => arrive(line));
    await settled();
    expect(requests.map(({ got }) => got.turn)).toEqual(['admitted', 'admitted', undefined, undefined, undefined]);
    expect([line.running, line.waiting]).toEqual([2, 3]);

    line.release();
    await settled();
    expect(requests.map(({ got }) => got.turn)).toEqual(['admitted', 'admitted', 'admitted', undefined, undefined]);
    expect(requests[2]!.watched()).toBe(false);
    line.release();
    line.release();
    await settled();
    expect([line.running, line.waiting]).toEqual([2, 0]);
  });

  it('refuses at once when the line is full, and after the deadline when the wait is too long', async () => {
    vi.useFakeTimers();
    const line = createAdmissionLine({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 1000 });
    const [, waiting, refused] = [arrive(line), arrive(line), arrive(line)];
    await vi.advanceTimersByTimeAsync(0);
    expect(refused.got.turn).toBe('queue_full');
    await vi.advanceTimersByTimeAsync(999);
    expect(waiting.got.turn).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.got.turn).toBe('queue_timeout');
    expect([line.running, line.waiting]).toEqual([1, 0]);
    expect(waiting.watched()).toBe(false);
  });

  it('lets a waiting client leave, and passes over one that went quietly before its turn', async () => {
    const line = createAdmissionLine({ maxInFlight: 1, maxQueued: 3, queueTimeoutMs: 1000 });
    const [, leaving, quiet, next] = [arrive(line), arrive(line), arrive(line), arrive(line)];
    leaving.leave();
    quiet.goQuietly();
    await settled();
    expect(leaving.got.turn).toBe('gone');
    expect(line.waiting).toBe(2);

    line.release();
    await settled();
    expect([quiet.got.turn, next.got.turn]).toEqual(['gone', 'admitted']);
    expect([line.running, line.waiting]).toEqual([1, 0]);
  });

  it('gives no turn to a client already gone', async () => {
    const line = createAdmissionLine({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 1000 });
    const gone = testClient();
    gone.goQuietly();
    expect(await line.take(gone.client)).toBe('gone');
    expect(line.running).toBe(0);
  });

  it('once closed for a stop, refuses everyone waiting and every later request, and lets running turns end', async () => {
    const line = createAdmissionLine({ maxInFlight: 1, maxQueued: 3, queueTimeoutMs: 1000 });
    const [running, first, second] = [arrive(line), arrive(line), arrive(line)];
    await settled();
    line.close();
    const late = arrive(line);
    await settled();
    expect([running, first, second, late].map(({ got }) => got.turn)).toEqual([
      'admitted',
      'shutting_down',
      'shutting_down',
      'shutting_down',
    ]);
    expect([first.watched(), second.watched()]).toEqual([false, false]);
    expect([line.running, line.waiting]).toEqual([1, 0]);
    line.release();
    expect(await line.take(testClient().client)).toBe('shutting_down');
    expect(line.running).toBe(0);
  });

  it('runs exactly the turns handed out and not given back, never more than the limit, in arrival order', async () => {
    const step = fc.oneof(fc.constant('arrive' as const), fc.constant('release' as const), fc.nat(20));
    const limits = fc.record({
      maxInFlight: fc.integer({ min: 1, max: 4 }),
      maxQueued: fc.integer({ min: 0, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(limits, fc.array(step, { maxLength: 40 }), async ({ maxInFlight, maxQueued }, steps) => {
        const line = createAdmissionLine({ maxInFlight, maxQueued, queueTimeoutMs: 60_000 });
        const arrivals: Array<ReturnType<typeof arrive>> = [];
        let released = 0;
        const admitted = () => arrivals.filter(({ got }) => got.turn === 'admitted').length;
        for (const action of steps) {
          if (action === 'arrive') arrivals.push(arrive(line));
          else if (action === 'release') {
            if (admitted() === released) continue;
            released++;
            line.release();
          } else arrivals[action]?.leave();
          await settled();
          expect(line.running).toBe(admitted() - released);
          expect(line.running).toBeLessThanOrEqual(maxInFlight);
          expect(line.waiting).toBeLessThanOrEqual(maxQueued);
        }
        const admittedAt = arrivals.flatMap(({ got }) => (got.turn === 'admitted' ? [got.at!] : []));
        expect(admittedAt).toEqual([...admittedAt].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });
});
