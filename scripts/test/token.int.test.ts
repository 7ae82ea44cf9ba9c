import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createUserTokenVerifier, devAuth } from '@potluck/identity';
import { userAuthOf } from '@potluck/service';
import { REPO_ROOT } from '../stack.js';

/**
 * `npm run token` as a person runs it, a process with its own environment; its token is then
 * checked the way the gateway of the same environment checks tokens (`userAuthOf`: jose
 * against the development key set), so "valid for the stack" is what is asserted.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'potluck-token-'));
const devFile = path.join(dir, 'dev-auth.json');
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of the test run, without any setting that would change which tokens the gateway trusts. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(AUTH_|POTLUCK_MODE$)/.test(name)) delete env[name];
  return { ...env, AUTH_DEV_FILE: devFile, ...extra };
}

function run(command: string, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

const token = (args: string[], extra?: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], extra);

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** What the gateway started in this environment accepts (POTLUCK_MODE development, no AUTH_JWKS_URL). */
function gatewayVerifier(extra: { AUTH_ISSUER?: string } = {}) {
  const { settings, keys, dev } = userAuthOf({
    POTLUCK_MODE: 'development',
    AUTH_DEV_FILE: devFile,
    AUTH_ALGORITHMS: ['ES256'],
    AUTH_CLOCK_TOLERANCE_S: 0,
    AUTH_ROLES_CLAIM: 'roles',
    ...extra,
  });
  expect(dev?.file).toBe(devFile);
  return createUserTokenVerifier(settings, keys);
}

describe('npm run token', () => {
  it('prints exactly one token, for the user and role asked, that the gateway of this environment accepts', async () => {
    const result = await run('npm', [
      'run',
      '-s',
      'token',
      '--',
      '--user',
      'ana',
      '--role',
      'moderator',
      '--name',
      'Ana B',
    ]);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.endsWith('\n')).toBe(true);
    const jwt = result.stdout.slice(0, -1);
    expect(jwt).toMatch(JWT);
    expect(payloadOf(jwt)).toMatchObject({
      sub: 'ana',
      name: 'Ana B',
      roles: ['moderator'],
      iss: 'potluck-dev',
      aud: 'potluck',
    });
    expect(await gatewayVerifier()(`Bearer ${jwt}`)).toEqual({ id: 'ana', name: 'Ana B', roles: ['moderator'] });
  });

  it('signs with the key in AUTH_DEV_FILE: another checkout’s gateway refuses the token', async () => {
    const other = path.join(dir, 'other-dev-auth.json');
    const result = await token(['--user', 'joe'], { AUTH_DEV_FILE: other });
    expect(result.code, result.stderr).toBe(0);
    expect(devAuth(other).kid).not.toBe(devAuth(devFile).kid);
    await expect(gatewayVerifier()(`Bearer ${result.stdout.trim()}`)).rejects.toThrow();
  });

  it('takes the lifetime from --ttl, and the issuer the gateway expects from AUTH_ISSUER', async () => {
    const result = await token(['--user', 'joe', '--ttl', '120'], { AUTH_ISSUER: 'potluck-dev-team' });
    expect(result.code, result.stderr).toBe(0);
    const payload = payloadOf(result.stdout.trim());
    expect(payload).toMatchObject({ sub: 'joe', name: 'joe', roles: [], iss: 'potluck-dev-team' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(120);
    expect(await gatewayVerifier({ AUTH_ISSUER: 'potluck-dev-team' })(`Bearer ${result.stdout.trim()}`)).toMatchObject({
      id: 'joe',
    });
  });

  // The other argument checks are in tokenArgs.unit.test.ts; here, what a refusal looks like from outside.
  it.each([
    [['--user', 'ana', '--admin'], /Unknown option '--admin'/],
    [['--user', 'ana', '--role', 'admin'], /unknown role "admin"/],
  ])(
    'refuses %j with exit code 2, the reason and the usage on stderr, and nothing on stdout',
    async (args, message) => {
      const result = await token(args);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Usage: npm run -s token');
    },
  );

  it('refuses to sign when the gateway of this environment would not trust the development key', async () => {
    const environments: Array<Record<string, string>> = [
      {
        AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
        AUTH_ISSUER: 'https://id.example.com/',
        AUTH_AUDIENCE: 'potluck',
      },
      { POTLUCK_MODE: 'production' },
    ];
    for (const extra of environments) {
      const result = await token(['--user', 'ana'], extra);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(/development key/);
    }
  });

  it('prints its usage on --help', async () => {
    const result = await token(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: npm run -s token -- --user <id>/);
    expect(result.stdout).toContain('--role <role>');
  });
});
