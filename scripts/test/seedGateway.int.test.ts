import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserTokenVerifier } from '@potluck/identity';
import { userAuthOf } from '@potluck/service';
import { loadSeedConfig } from '../seedConfig.js';
import { seedGatewayOf } from '../seedGateway.js';

/** A gateway stand-in that answers every request with the Authorization header it got. */
let server: http.Server;
let url: string;
const dir = mkdtempSync(path.join(tmpdir(), 'potluck-seed-'));
const devFile = path.join(dir, 'dev-auth.json');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { authorization: req.headers.authorization ?? null } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const authorizationSent = async (client: (query: string) => Promise<{ authorization: string | null }>) =>
  (await client('{ a }')).authorization;

describe('seedGatewayOf', () => {
  it('writes as each demo user with a token the gateway of this environment accepts, and reads anonymously', async () => {
    const gateway = await seedGatewayOf(loadSeedConfig({ GATEWAY_URL: url, AUTH_DEV_FILE: devFile }));
    const { settings, keys } = userAuthOf({
      POTLUCK_MODE: 'development',
      AUTH_DEV_FILE: devFile,
      AUTH_ALGORITHMS: ['ES256'],
      AUTH_CLOCK_TOLERANCE_S: 0,
      AUTH_ROLES_CLAIM: 'roles',
    });
    const verify = createUserTokenVerifier(settings, keys);
    expect(await authorizationSent(gateway.read)).toBeNull();
    expect(await verify((await authorizationSent(gateway.as('ana')))!)).toEqual({ id: 'ana', name: 'Ana', roles: [] });
    expect(await verify((await authorizationSent(gateway.as('joe')))!)).toEqual({ id: 'joe', name: 'Joe', roles: [] });
    expect(await verify((await authorizationSent(gateway.as('mo')))!)).toEqual({
      id: 'mo',
      name: 'Mo (moderator)',
      roles: ['moderator'],
    });
  });

  it('sends SEED_TOKEN for everything when it is set', async () => {
    const gateway = await seedGatewayOf(loadSeedConfig({ GATEWAY_URL: url, SEED_TOKEN: 'aaa.bbb.ccc' }));
    for (const client of [gateway.read, gateway.as('ana'), gateway.as('mo')]) {
      expect(await authorizationSent(client)).toBe('Bearer aaa.bbb.ccc');
    }
  });
});
