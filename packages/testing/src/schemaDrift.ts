import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import pg from 'pg';
import { createTestDatabase } from './databases.js';

const require = createRequire(import.meta.url);
const schemaWasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: string;
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
}

interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

interface DmmfIndex {
  model: string;
  fields: Array<{ name: string }>;
}

interface ColumnRow {
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  datetime_precision: number | null;
}

/** What Postgres reports for a Prisma scalar, the way Prisma's migrate would create it. */
function expectedColumnType(field: DmmfField): string {
  const [native, args = []] = field.nativeType ?? [undefined, []];
  const base = ((): string => {
    switch (field.type) {
      case 'String':
        if (native === 'Uuid') return 'uuid';
        if (native === 'VarChar') return `character varying(${args[0]})`;
        return 'text';
      case 'Int':
        return 'integer';
      case 'BigInt':
        return 'bigint';
      case 'Boolean':
        return 'boolean';
      case 'Decimal':
        return `numeric(${args[0] ?? 65},${args[1] ?? 30})`;
      case 'DateTime':
        return native === 'Timestamptz'
          ? `timestamp with time zone(${args[0] ?? 3})`
          : `timestamp without time zone(${args[0] ?? 3})`;
      case 'Json':
        return 'jsonb';
      default:
        return `unsupported Prisma type ${field.type}`;
    }
  })();
  return field.isList ? `${base}[]` : base;
}

function actualColumnType(column: ColumnRow): string {
  if (column.data_type === 'ARRAY') {
    const element = { _text: 'text', _int4: 'integer', _uuid: 'uuid' }[column.udt_name] ?? column.udt_name;
    return `${element}[]`;
  }
  switch (column.data_type) {
    case 'character varying':
      return `character varying(${column.character_maximum_length})`;
    case 'numeric':
      return `numeric(${column.numeric_precision},${column.numeric_scale})`;
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return `${column.data_type}(${column.datetime_precision})`;
    default:
      return column.data_type;
  }
}

async function indexesOf(client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ columns: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY k.ordinality) AS columns
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace
      GROUP BY i.indexrelid`,
    [table],
  );
  return rows.map((row) => row.columns.join(','));
}

/**
 * Compares a migrated database with a Prisma schema and lists every difference: missing
 * or extra tables and columns, column types, nullability and indexes. Empty means the
 * migrations produce exactly what `schema.prisma` describes.
 */
export async function findSchemaDrift(databaseUrl: string, prismaSchemaPath: string): Promise<string[]> {
  const schema = await readFile(prismaSchemaPath, 'utf8');
  const dmmf = JSON.parse(schemaWasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as {
    datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const problems: string[] = [];
  try {
    for (const model of dmmf.datamodel.models) {
      const table = model.dbName ?? model.name;
      const { rows } = await client.query<ColumnRow>(
        `SELECT column_name, data_type, udt_name, is_nullable, character_maximum_length,
                numeric_precision, numeric_scale, datetime_precision
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      if (rows.length === 0) {
        problems.push(`table ${table} (model ${model.name}) is missing`);
        continue;
      }
      const columns = new Map(rows.map((row) => [row.column_name, row]));
      const scalars = model.fields.filter((field) => field.kind === 'scalar');
      for (const field of scalars) {
        const columnName = field.dbName ?? field.name;
        const column = columns.get(columnName);
        if (!column) {
          problems.push(`${table}.${columnName} (${model.name}.${field.name}) is missing`);
          continue;
        }
        const [expected, actual] = [expectedColumnType(field), actualColumnType(column)];
        if (expected !== actual) problems.push(`${table}.${columnName} is ${actual}, schema says ${expected}`);
        const nullable = column.is_nullable === 'YES';
        if (!field.isList && nullable === field.isRequired) {
          problems.push(`${table}.${columnName} is ${nullable ? '' : 'not '}nullable, schema says the opposite`);
        }
      }
      const known = new Set(scalars.map((field) => field.dbName ?? field.name));
      for (const columnName of columns.keys()) {
        if (!known.has(columnName)) problems.push(`${table}.${columnName} exists but is not in the schema`);
      }
      const indexes = await indexesOf(client, table);
      const dbNames = new Map(scalars.map((field) => [field.name, field.dbName ?? field.name]));
      for (const index of dmmf.datamodel.indexes.filter((candidate) => candidate.model === model.name)) {
        const wanted = index.fields.map((field) => dbNames.get(field.name) ?? field.name).join(',');
        if (!indexes.includes(wanted)) problems.push(`${table} has no index on (${wanted})`);
      }
    }
  } finally {
    await client.end();
  }
  return problems;
}

/** `findSchemaDrift` for a copy of `service`'s migrated template database, dropped afterwards. */
export async function findMigrationDrift(service: string, prismaSchemaPath: string): Promise<string[]> {
  const database = await createTestDatabase(service);
  try {
    return await findSchemaDrift(database.url, prismaSchemaPath);
  } finally {
    await database.drop();
  }
}
