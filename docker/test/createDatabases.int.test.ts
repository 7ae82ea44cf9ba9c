import { execFileSync } from 'node:child_process';
import { chownSync, globSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateSubgraph } from '@potluck/service';
import { freePort } from '@potluck/testing';
import { environmentOf, loadCompose, REPO_ROOT } from './stackFiles.js';

/**
 * What the Postgres container does at its first start, on a private throwaway cluster:
 * initdb with the superuser of .env, then docker/postgres/create-databases.sh. Then each
 * subgraph migrates its database with the DATABASE_URL docker-compose.yml gives it, over
 * password authentication, as the service does before it serves.
 */
const compose = loadCompose();
const postgresEnv = environmentOf(compose.services.postgres!);
const SUBGRAPHS = ['recipes', 'comments'];

const binDir = globSync('/usr/lib/postgresql/*/bin/initdb')
  .map((file) => path.dirname(file))
  .sort((a, b) => Number(b.split('/').at(-2)) - Number(a.split('/').at(-2)))[0];
const scratch = mkdtempSync(path.join(tmpdir(), 'potluck-initdb-'));
const dataDir = path.join(scratch, 'data');
let port: number;

/** Postgres refuses to run as root: as root (CI), run its tools as the postgres user. */
function asPostgres(command: string, args: string[], env: Record<string, string> = {}): string {
  const [file, prefix] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command]] : [command, [] as string[]];
  return execFileSync(file, [...prefix, ...args], {
    encoding: 'utf8',
    env: { PATH: `${binDir}:${process.env.PATH}`, ...env },
    cwd: scratch,
  });
}

function idOfPostgres(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/** The URL a service uses, pointed at the throwaway cluster instead of the compose network. */
function localUrl(url: string): string {
  const local = new URL(url);
  local.hostname = '127.0.0.1';
  local.port = String(port);
  return local.toString();
}

// CI's machines (Debian) have the server binaries; elsewhere this check needs them at /usr/lib/postgresql.
const runnable = binDir !== undefined || Boolean(process.env.CI);

beforeAll(async () => {
  if (!runnable) return;
  expect(binDir, 'PostgreSQL server binaries under /usr/lib/postgresql').toBeDefined();
  port = await freePort();
  if (process.getuid?.() === 0) chownSync(scratch, idOfPostgres('-u'), idOfPostgres('-g'));
  const passwordFile = path.join(scratch, 'password');
  writeFileSync(passwordFile, postgresEnv.POSTGRES_PASSWORD!, { mode: 0o644 });
  asPostgres('initdb', [
    `--pgdata=${dataDir}`,
    `--username=${postgresEnv.POSTGRES_USER}`,
    `--pwfile=${passwordFile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
  ]);
  asPostgres('pg_ctl', [
    `--pgdata=${dataDir}`,
    '--wait',
    `--options=-p ${port} -k ${scratch} -c listen_addresses=127.0.0.1`,
    `--log=${path.join(scratch, 'log')}`,
    'start',
  ]);
  // As the image's entrypoint runs it: the script's environment is the container's.
  asPostgres('sh', [path.join(REPO_ROOT, 'docker/postgres/create-databases.sh')], {
    ...postgresEnv,
    PGHOST: scratch,
    PGPORT: String(port),
  });
}, 60_000);

afterAll(() => {
  try {
    if (runnable) asPostgres('pg_ctl', [`--pgdata=${dataDir}`, '--mode=immediate', 'stop']);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

describe.skipIf(!runnable)('Postgres at its first start', () => {
  it.each(SUBGRAPHS)('gives %s its own database, owned by its own role, which migrates it', async (name) => {
    const url = localUrl(environmentOf(compose.services[name]!).DATABASE_URL!);
    const migrations = path.join(REPO_ROOT, 'subgraphs', name, 'prisma/migrations');
    const { applied } = await migrateSubgraph(url, migrations);
    expect(applied.length).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ owner: string; superuser: boolean }>(
        `SELECT pg_get_userbyid(d.datdba) AS owner, r.rolsuper AS superuser
           FROM pg_database d JOIN pg_roles r ON r.rolname = current_user WHERE d.datname = current_database()`,
      );
      expect(rows).toEqual([{ owner: name, superuser: false }]);
    } finally {
      await client.end();
    }
  });

  it('refuses a wrong password: the services authenticate, they are not trusted', async () => {
    const url = new URL(localUrl(environmentOf(compose.services.recipes!).DATABASE_URL!));
    url.password = 'wrong';
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });
});
