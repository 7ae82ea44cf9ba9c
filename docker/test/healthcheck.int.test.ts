import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthUrl, probe } from '../healthcheck.js';
import { REPO_ROOT } from './stackFiles.js';

let server: http.Server;
let port: number;

async function listen(target: http.Server): Promise<number> {
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  return (target.address() as AddressInfo).port;
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    response.statusCode = request.url === '/health/live' ? 200 : 503;
    response.end(JSON.stringify({ status: response.statusCode === 200 ? 'live' : 'not_ready' }));
  });
  port = await listen(server);
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the container healthcheck', () => {
  it('targets this container on its PORT', () => {
    expect(String(healthUrl({ PORT: '4001' }, '/health/ready'))).toBe('http://127.0.0.1:4001/health/ready');
    expect(String(healthUrl({}))).toBe('http://127.0.0.1:4000/health/live');
    expect(() => healthUrl({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => healthUrl({ PORT: '4000' }, '/graphql')).toThrow(/health/);
  });

  it('passes on 2xx and fails, saying why, on any other answer or none', async () => {
    expect(await probe(healthUrl({ PORT: String(port) }, '/health/live'))).toBeUndefined();
    expect(await probe(healthUrl({ PORT: String(port) }, '/health/ready'))).toMatch(/answered 503: .*not_ready/);
    const gone = http.createServer();
    const closedPort = await listen(gone);
    await new Promise((resolve) => gone.close(resolve));
    expect(await probe(healthUrl({ PORT: String(closedPort) }))).toMatch(/fetch failed/);
  });

  it('runs with plain Node, as the image runs it, and exits 0 only when healthy', async () => {
    // Asynchronously: the server answering the probe runs in this process.
    const run = (route: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const options = { cwd: REPO_ROOT, env: { PATH: process.env.PATH, PORT: String(port) } };
        execFile(process.execPath, ['docker/healthcheck.ts', route], options, (error, _stdout, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
    const live = await run('/health/live');
    expect(live.code, live.stderr).toBe(0);
    const ready = await run('/health/ready');
    expect(ready.code).toBe(1);
    expect(ready.stderr).toContain('answered 503');
  });
});
