import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, environmentOf, loadCompose, REPO_ROOT, type ComposeFile } from './stackFiles.js';

/** Compose v2 (`docker compose`) when the machine has it, else v1 (Debian's `docker-compose` package). */
function composeCli(): string[] | undefined {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    if (spawnSync(cli[0]!, [...cli.slice(1), 'version'], { stdio: 'ignore' }).status === 0) return cli;
  }
  return undefined;
}

const cli = composeCli();
const scratch = mkdtempSync(path.join(tmpdir(), 'potluck-compose-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `docker compose config` with only PATH from this shell, so nothing but the env file interpolates. */
function composeConfig(envFile: string, profiles: string[] = []) {
  const profileArgs = profiles.flatMap((profile) => ['--profile', profile]);
  return spawnSync(cli![0]!, [...cli!.slice(1), '--env-file', envFile, '-f', COMPOSE_FILE, ...profileArgs, 'config'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });
}

// CI installs docker-compose (.ci/run); elsewhere these checks need Docker's compose or that package.
describe.skipIf(!cli && !process.env.CI)('docker-compose.yml as Compose reads it', () => {
  it('is valid, and Compose interpolates it exactly as the static checks do, with every profile', () => {
    const ours = loadCompose();
    const profiles = [...new Set(Object.values(ours.services).flatMap((service) => service.profiles ?? []))];
    const result = composeConfig('.env.example', profiles);
    expect(result.status, result.stderr).toBe(0);
    const normalized = parse(result.stdout) as ComposeFile;
    expect(Object.keys(normalized.services).sort()).toEqual(Object.keys(ours.services).sort());
    for (const [name, service] of Object.entries(ours.services)) {
      expect(environmentOf(normalized.services[name]!), name).toEqual(environmentOf(service));
    }
  });

  it('is valid without a profile too, as `docker compose up` reads it, and then runs every unprofiled service', () => {
    const result = composeConfig('.env.example');
    expect(result.status, result.stderr).toBe(0);
    const listed = Object.keys((parse(result.stdout) as ComposeFile).services);
    // Compose v2 lists only the services it would run; v1 lists them all and applies profiles at `up`.
    for (const [name, service] of Object.entries(loadCompose().services)) {
      if (!service.profiles?.length) expect(listed, name).toContain(name);
    }
  });

  it('refuses to run without the credentials of .env, saying where they come from', () => {
    const empty = path.join(scratch, 'empty.env');
    writeFileSync(empty, '');
    const result = composeConfig(empty);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('copy .env.example to .env');
  });
});
