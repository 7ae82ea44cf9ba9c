import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  createServiceMetrics,
  DEFAULT_HTTP_LIMITS,
  type AdmissionLimits,
  type GraphQLServiceOptions,
  type RunningService,
  type ServiceMetrics,
} from '@potluck/service';
import { parsePrometheusText, sampleValue, waitFor } from '@potluck/testing';
import { startHelloService } from './helloService.js';
import { postGraphQL, slowClient, type RawResponse, type SlowClient } from './rawHttp.js';

/** More than a paused socket and its kernel buffers take: the rest stays in Node until read. */
const LARGE_ANSWER_CHARACTERS = 8 * 1024 * 1024;

/** A schema whose one field waits until the test lets it finish, counting how many run at once. */
function heldSchema() {
  const runs = { started: 0, running: 0, peak: 0, large: 0 };
  const holds: Array<() => void> = [];
  const schema = buildSubgraphSchema({
    typeDefs: parse('type Query { held: String, large: String }'),
    resolvers: {
      Query: {
        large: () => ((runs.large += 1), 'x'.repeat(LARGE_ANSWER_CHARACTERS)),
        held: async () => {
          runs.started += 1;
          runs.running += 1;
          runs.peak = Math.max(runs.peak, runs.running);
          await new Promise<void>((resolve) => holds.push(resolve));
          runs.running -= 1;
          return 'done';
        },
      },
    },
  });
  return {
    schema,
    runs,
    /** Lets every resolver waiting now finish. */
    finishRunning: () => {
      for (const finish of holds.splice(0)) finish();
    },
    startedReach: (count: number) =>
      waitFor(() => (runs.started >= count ? true : undefined), { timeoutMs: 5000, what: `${count} started` }),
  };
}

const running: RunningService[] = [];
const clients: AbortController[] = [];
const sockets: Array<SlowClient | net.Socket> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.abort();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function serve(admission: AdmissionLimits, overrides: Partial<GraphQLServiceOptions<object>> = {}) {
  const held = heldSchema();
  const metrics = (await createServiceMetrics(
    { METRICS_ENABLED: true, METRICS_PORT: undefined, METRICS_OPERATIONS: [] },
    undefined,
  )) as ServiceMetrics;
  const lines: Array<Record<string, unknown>> = [];
  const service = await startHelloService(held.schema, {
    logger: createLogger('hello', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) }),
    httpLimits: { ...DEFAULT_HTTP_LIMITS, admission },
    metrics,
    ...overrides,
  });
  running.push(service);
  const gauge = async (name: string, labels: Record<string, string> = {}) =>
    sampleValue(parsePrometheusText(await metrics.scrape()), name, labels);
  return {
    ...held,
    port: service.port,
    lines,
    stop: () => {
      running.splice(running.indexOf(service), 1);
      return service.stop();
    },
    metrics: gauge,
    /** Sends `{ held }`; the returned controller closes the connection. */
    /** Sends `{ held }` (as operation `name` with request id `name`, when given). */
    ask(name?: string): { answer: Promise<RawResponse>; leave: () => void } {
      const client = new AbortController();
      clients.push(client);
      const query = name ? `query ${name} { held }` : '{ held }';
      const headers: Record<string, string> = name ? { 'x-request-id': name } : {};
      const answer = postGraphQL(service.port, { query }, headers, client.signal);
      answer.catch(() => {});
      return { answer, leave: () => client.abort() };
    },
    queuedReach: (count: number) =>
      waitFor(async () => ((await gauge('potluck_graphql_requests_queued')) === count ? true : undefined), {
        timeoutMs: 5000,
        what: `${count} queued`,
      }),
  };
}

function busyError(response: RawResponse) {
  return (JSON.parse(response.body) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> })
    .errors[0]!;
}

describe('admission control: at most GRAPHQL_MAX_IN_FLIGHT requests run at once', () => {
  it('runs the rest in turn as earlier ones finish, never more at once than the limit', async () => {
    const service = await serve({ maxInFlight: 2, maxQueued: 10, queueTimeoutMs: 5000 });
    const asked = Array.from({ length: 5 }, (_, index) => service.ask(`Held${index}`));
    await service.startedReach(2);
    await service.queuedReach(3);
    expect(service.runs.started).toBe(2);
    expect(await service.metrics('potluck_graphql_requests_in_flight')).toBe(2);

    const answers = Promise.all(asked.map(({ answer }) => answer));
    for (const startedNext of [4, 5]) {
      service.finishRunning();
      await service.startedReach(startedNext);
      expect(service.runs.running).toBeLessThanOrEqual(2);
    }
    service.finishRunning();
    for (const response of await answers) {
      expect(response.status, response.body).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ data: { held: 'done' } });
    }
    expect(service.runs.peak).toBe(2);
    expect(await service.metrics('potluck_graphql_requests_queued')).toBe(0);
    // Each ran in its own request scope, however long it waited: its log line names its own operation.
    const completed = await waitFor(() => {
      const lines = service.lines.filter((line) => line.msg === 'request completed');
      return lines.length === 5 ? lines : undefined;
    });
    for (const line of completed) expect(line.operationName).toBe(line.requestId);
  });

  it('refuses with 503 SERVER_BUSY and Retry-After, unexecuted, a request that finds the line full', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 5000 });
    const first = service.ask();
    await service.startedReach(1);
    const second = service.ask();
    await service.queuedReach(1);

    const refused = await service.ask().answer;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    const error = busyError(refused);
    expect(error.extensions).toEqual({ code: 'SERVER_BUSY', reason: 'queue_full', retryAfter: 1 });
    expect(error.message).toBe('The server is busy (1 running, 1 waiting); try again in 1 s');
    expect(await service.metrics('potluck_graphql_requests_shed_total', { reason: 'queue_full' })).toBe(1);
    const logged = await waitFor(() => service.lines.find((line) => line.msg === 'request shed'));
    expect(logged).toMatchObject({ level: 40, res: { statusCode: 503 }, errors: [{ code: 'SERVER_BUSY' }] });

    service.finishRunning();
    await service.startedReach(2);
    service.finishRunning();
    expect((await first.answer).status).toBe(200);
    expect((await second.answer).status).toBe(200);
    expect(service.runs.started).toBe(2);
  });

  it('refuses a request still waiting after GRAPHQL_QUEUE_TIMEOUT_MS, and never runs it', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 5, queueTimeoutMs: 300 });
    const first = service.ask();
    await service.startedReach(1);
    const askedAt = performance.now();
    const late = await service.ask().answer;
    expect(performance.now() - askedAt).toBeGreaterThanOrEqual(250);
    expect(late.status).toBe(503);
    expect(late.headers['retry-after']).toBe('1');
    expect(busyError(late).extensions).toMatchObject({ code: 'SERVER_BUSY', reason: 'queue_timeout' });
    expect(await service.metrics('potluck_graphql_requests_shed_total', { reason: 'queue_timeout' })).toBe(1);
    expect(await service.metrics('potluck_graphql_requests_queued')).toBe(0);

    service.finishRunning();
    expect((await first.answer).status).toBe(200);
    expect(service.runs.started).toBe(1);
  });

  it('answers the requests still waiting when the service stops, 503 with Connection: close, and lets the running one finish', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 5, queueTimeoutMs: 20_000 });
    const first = service.ask();
    await service.startedReach(1);
    const waiting = [service.ask(), service.ask()];
    await service.queuedReach(2);

    const stopped = service.stop();
    for (const { answer } of waiting) {
      const refused = await answer;
      expect(refused.status).toBe(503);
      expect(refused.headers).toMatchObject({ connection: 'close', 'retry-after': '1' });
      expect(busyError(refused)).toEqual({
        message: 'The server is shutting down; try again in 1 s',
        extensions: { code: 'SERVER_BUSY', reason: 'shutting_down', retryAfter: 1 },
      });
    }
    expect(await service.metrics('potluck_graphql_requests_shed_total', { reason: 'shutting_down' })).toBe(2);
    service.finishRunning();
    expect((await first.answer).status).toBe(200);
    await stopped;
    expect(service.runs.started).toBe(1);
  });

  it('gives up the place of a client that leaves while waiting, and never runs its request', async () => {
    // A queue timeout well past the waits below: the place must be given up by the leaving, not the deadline.
    const service = await serve({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 20_000 });
    const first = service.ask();
    await service.startedReach(1);
    const leaving = service.ask();
    await service.queuedReach(1);
    leaving.leave();
    await service.queuedReach(0);

    // The line has room again: the next request waits instead of being refused.
    const next = service.ask();
    await service.queuedReach(1);
    service.finishRunning();
    await service.startedReach(2);
    service.finishRunning();
    expect((await first.answer).status).toBe(200);
    expect((await next.answer).status).toBe(200);
    expect(service.runs.started).toBe(2);
    await expect(leaving.answer).rejects.toThrow();
    expect(await service.metrics('potluck_graphql_requests_shed_total', { reason: 'queue_timeout' })).toBe(0);
  });

  it('keeps the turn of a client that left mid-request until its work ends', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 5, queueTimeoutMs: 5000 });
    const leaving = service.ask();
    await service.startedReach(1);
    leaving.leave();
    await expect(leaving.answer).rejects.toThrow();

    const next = service.ask();
    await service.queuedReach(1);
    expect(service.runs.started).toBe(1);
    expect(await service.metrics('potluck_graphql_requests_in_flight')).toBe(1);

    service.finishRunning();
    await service.startedReach(2);
    service.finishRunning();
    expect((await next.answer).status).toBe(200);
    expect(service.runs.peak).toBe(1);
  });

  it('gives no turn to a request whose client left during an earlier, slow step (the guard)', async () => {
    let guarded = 0;
    const service = await serve(
      { maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 2000 },
      {
        guard: async (_req, _res, next) => {
          guarded += 1;
          await delay(200);
          next();
        },
      },
    );
    const leaving = service.ask();
    await waitFor(() => (guarded === 1 ? true : undefined), { what: 'the guard to start' });
    leaving.leave();
    await expect(leaving.answer).rejects.toThrow();
    await delay(300);

    const next = service.ask();
    await service.startedReach(1);
    service.finishRunning();
    const answer = await next.answer;
    expect(answer.status, answer.body).toBe(200);
    expect(service.runs.started).toBe(1);
    expect(await service.metrics('potluck_graphql_requests_in_flight')).toBe(0);
  });

  it('holds no turn while a slow client uploads its body', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 2000 });
    const uploader = await slowClient(
      service.port,
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      () => ' ',
    );
    sockets.push(uploader);
    await delay(200);
    const asked = service.ask();
    await service.startedReach(1);
    service.finishRunning();
    expect((await asked.answer).status).toBe(200);
    expect(await service.metrics('potluck_graphql_requests_shed_total', { reason: 'queue_timeout' })).toBe(0);
  });

  it('gives the turn back once the answer is written, not once a client that does not read has read it', async () => {
    const service = await serve({ maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 2000 });
    const body = JSON.stringify({ query: '{ large }' });
    const reader = net.connect(service.port, '127.0.0.1');
    sockets.push(reader);
    reader.on('error', () => {});
    reader.pause();
    reader.write(
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await waitFor(() => (service.runs.large === 1 ? true : undefined), { what: 'the large answer to be resolved' });

    const asked = service.ask();
    await service.startedReach(1);
    service.finishRunning();
    expect((await asked.answer).status).toBe(200);
    expect(reader.readableLength + reader.bytesRead).toBeLessThan(LARGE_ANSWER_CHARACTERS);
  });
});
