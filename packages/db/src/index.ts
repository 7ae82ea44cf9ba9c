export { migrate, migrateAll, readMigrations, checksumOf, MigrationError } from './migrate.js';
export type { MigrateOptions, MigrateResult, MigrationFile, MigrationSource } from './migrate.js';
export { ensureDatabase, dropDatabase, databaseNameOf, withDatabase } from './database.js';
export { openDatabase, openPrisma, type PrismaConnectionOptions, type ServiceDatabase } from './prismaOptions.js';
export { SqlParameters, type SqlReads, type SqlType } from './sqlReads.js';
