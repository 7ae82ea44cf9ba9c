import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** Prisma's own advisory lock key, so this runner and `prisma migrate deploy` exclude each other. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Postgres' SQLSTATE for "canceling statement due to lock timeout". */
const LOCK_NOT_AVAILABLE = '55P03';

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/**
 * One folder of `<timestamp>_<name>/migration.sql` migrations. Its migrations are recorded
 * under `prefix` + folder name, so a package's migrations (say `messaging_…`) share the
 * `_prisma_migrations` table with a subgraph's without colliding; Prisma's CLI would only
 * see rows it does not know.
 */
export interface MigrationSource {
  dir: string;
  prefix?: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Limits for each migration's transaction, so a migration queued behind a long-held lock
 * (or one that runs away) fails the deploy instead of hanging it and every query queued behind it.
 */
export interface MigrateOptions {
  /** Longest wait for any one lock (Postgres `lock_timeout`); default 10 s. */
  lockTimeoutMs?: number;
  /** Longest run of any one statement (Postgres `statement_timeout`); default 5 min. */
  statementTimeoutMs?: number;
}

type Timeouts = Required<MigrateOptions>;

const DEFAULT_TIMEOUTS: Timeouts = { lockTimeoutMs: 10_000, statementTimeoutMs: 5 * 60_000 };

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** SHA-256 of the file's bytes, hex encoded: the checksum Prisma stores. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads `<dir>/<timestamp>_<name>/migration.sql` folders in name order, as Prisma does, naming each `prefix` + folder. */
export async function readMigrations(migrationsDir: string, prefix = ''): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    folders.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name: prefix + name, sql, checksum: checksumOf(sql) };
    }),
  );
}

/**
 * Applies pending migrations following `prisma migrate deploy`: one runner at a time
 * (advisory lock), each migration recorded in `_prisma_migrations` with its checksum.
 * Unlike deploy, an applied migration whose file changed is an error, not a warning.
 *
 * Every migration runs inside one transaction together with its `_prisma_migrations`
 * row, so an SQL error, a timeout or a lost connection leaves neither a row nor partial
 * schema, and the next start simply retries it. Statements that cannot run in a
 * transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`) are therefore not supported, and
 * an enum value added with `ALTER TYPE … ADD VALUE` cannot be used in the same migration.
 * Timeouts apply per statement of that transaction (see {@link MigrateOptions}). An
 * unfinished row written by an older runner still blocks every later start until it is
 * resolved, because that database may be half-applied.
 */
export async function migrate(
  databaseUrl: string,
  migrationsDir: string,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  return migrateAll(databaseUrl, [{ dir: migrationsDir }], options);
}

/**
 * {@link migrate} over several sources in one run and under one lock: every source's
 * migrations in name order, source after source (a subgraph's, then a package's that
 * adopts or extends tables the subgraph may already have).
 */
export async function migrateAll(
  databaseUrl: string,
  sources: readonly MigrationSource[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const timeouts: Timeouts = {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_TIMEOUTS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_TIMEOUTS.statementTimeoutMs,
  };
  const migrations: MigrationFile[] = [];
  for (const source of sources) migrations.push(...(await readMigrations(source.dir, source.prefix)));
  const names = new Set(migrations.map((migration) => migration.name));
  if (names.size !== migrations.length) throw new MigrationError('two migration sources share a migration name');
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      return await applyPending(client, migrations, timeouts);
    } finally {
      // A lost connection has released the session's lock already; keep the original error.
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(
  client: pg.Client,
  migrations: MigrationFile[],
  timeouts: Timeouts,
): Promise<MigrateResult> {
  const { rows } = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const live = rows.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and must be resolved before others apply (see "_prisma_migrations".logs)`,
    );
  }
  const appliedByName = new Map(live.map((row) => [row.migration_name, row]));
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const existing = appliedByName.get(migration.name);
    if (existing) {
      if (existing.checksum !== migration.checksum) {
        throw new MigrationError(`migration ${migration.name} was modified after it was applied (checksum differs)`);
      }
      result.alreadyApplied.push(migration.name);
      continue;
    }
    await applyOne(client, migration, timeouts);
    result.applied.push(migration.name);
  }
  return result;
}

async function applyOne(client: pg.Client, migration: MigrationFile, timeouts: Timeouts): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", [
      `${timeouts.lockTimeoutMs}ms`,
      `${timeouts.statementTimeoutMs}ms`,
    ]);
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [
      id,
      migration.checksum,
      migration.name,
    ]);
    await client.query(migration.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    // On a lost connection Postgres has rolled the transaction back itself.
    await client.query('ROLLBACK').catch(() => undefined);
    throw failureOf(migration, error, timeouts);
  }
}

function failureOf(migration: MigrationFile, error: unknown, timeouts: Timeouts): MigrationError {
  const message = error instanceof Error ? error.message : String(error);
  if (isLockTimeout(error)) {
    return new MigrationError(
      `migration ${migration.name} timed out waiting for a lock (lock_timeout ${timeouts.lockTimeoutMs} ms) and was rolled back: ${message}`,
      { cause: error },
    );
  }
  return new MigrationError(`migration ${migration.name} failed and was rolled back: ${message}`, { cause: error });
}

function isLockTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === LOCK_NOT_AVAILABLE;
}
