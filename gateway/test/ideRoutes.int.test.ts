import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserTokenVerifier } from '@potluck/identity';
import { createLogger, userAuthOf } from '@potluck/service';
import { demoUsersOf, type IdeDemoUsers } from '../src/ide/demoUsers.js';
import { IDE_CONTENT_SECURITY_POLICY } from '../src/ide/idePage.js';
import { ideRoutes } from '../src/ide/ideRoutes.js';

/**
 * The IDE's routes on a real HTTP server, as the gateway mounts them: the page offers demo
 * users, with tokens the gateway's own verifier accepts, only when it is given some.
 */
const OPERATIONS = fileURLToPath(new URL('../../schema/operations', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'potluck-ide-'));
const distDir = path.join(dir, 'dist');
const devFile = path.join(dir, 'dev-auth.json');
const servers: Server[] = [];

/** The gateway's token settings in development with this checkout's key, as `startGateway` derives them. */
const userAuth = () =>
  userAuthOf({
    POTLUCK_MODE: 'development',
    AUTH_DEV_FILE: devFile,
    AUTH_ALGORITHMS: ['ES256'],
    AUTH_CLOCK_TOLERANCE_S: 0,
    AUTH_ROLES_CLAIM: 'roles',
  });

async function serveIde(demoUsers?: IdeDemoUsers): Promise<string> {
  const app = express();
  (await ideRoutes({ distDir, operationsDir: OPERATIONS, logger: createLogger('ide-test', 'silent'), demoUsers }))(app);
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function openPage(origin: string) {
  const response = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
  const html = await response.text();
  const json = /<script id="potluck-ide-config" type="application\/json">(.*)<\/script>/.exec(html)?.[1];
  return { response, html, config: JSON.parse(json!) as { demoUsers?: Array<{ user: string; token: string }> } };
}

beforeAll(() => {
  // A stand-in for the built bundle: the routes only ask whether ide.js is there.
  mkdirSync(distDir);
  writeFileSync(path.join(distDir, 'ide.js'), '');
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

describe('the IDE page', () => {
  it('offers no demo user and carries no token when the gateway passes none (a real identity provider)', async () => {
    const origin = await serveIde(
      demoUsersOf({ settings: { issuer: 'https://id.example.com/', audience: 'potluck' } }),
    );
    const { response, html, config } = await openPage(origin);
    expect(response.status).toBe(200);
    expect(config).not.toHaveProperty('demoUsers');
    expect(html).not.toMatch(/eyJ/);
    expect(response.headers.get('content-security-policy')).toBe(IDE_CONTENT_SECURITY_POLICY);
  });

  it('offers ana, joe and mo (besides anonymous) with tokens the gateway accepts, in a page never cached', async () => {
    const auth = userAuth();
    const origin = await serveIde(demoUsersOf(auth));
    const { response, config } = await openPage(origin);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe(IDE_CONTENT_SECURITY_POLICY);
    const verify = createUserTokenVerifier(auth.settings, auth.keys);
    const users = await Promise.all(config.demoUsers!.map(({ token }) => verify(`Bearer ${token}`)));
    expect(users).toEqual([
      { id: 'ana', name: 'Ana', roles: [] },
      { id: 'joe', name: 'Joe', roles: [] },
      { id: 'mo', name: 'Mo (moderator)', roles: ['moderator'] },
    ]);
    expect(config.demoUsers!.map(({ user }) => user)).toEqual(['ana', 'joe', 'mo']);
  });

  it('gives a non-browser client its JSON pointer, without tokens', async () => {
    const origin = await serveIde(demoUsersOf(userAuth()));
    const response = await fetch(`${origin}/`, { headers: { accept: 'application/json' } });
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ graphql: '/graphql' });
    expect(text).not.toMatch(/eyJ/);
  });
});

describe('demoUsersOf', () => {
  it('signs for the issuer and audience the gateway checks, and signs again after an hour', async () => {
    let now = 0;
    const auth = userAuthOf({
      POTLUCK_MODE: 'development',
      AUTH_DEV_FILE: devFile,
      AUTH_ISSUER: 'potluck-dev-team',
      AUTH_AUDIENCE: 'potluck-team',
      AUTH_ALGORITHMS: ['ES256'],
      AUTH_CLOCK_TOLERANCE_S: 0,
      AUTH_ROLES_CLAIM: 'roles',
    });
    const demoUsers = demoUsersOf(auth, () => now)!;
    const first = await demoUsers();
    expect(await createUserTokenVerifier(auth.settings, auth.keys)(`Bearer ${first[0]!.token}`)).toMatchObject({
      id: 'ana',
    });
    now += 3_599_000;
    expect(await demoUsers()).toBe(first);
    now += 1000;
    const renewed = await demoUsers();
    expect(renewed).not.toBe(first);
    expect(renewed.map(({ token }) => token)).not.toEqual(first.map(({ token }) => token));
  });
});
