import type pg from 'pg';

/**
 * Read-only statements run straight on node-postgres, on the pool Prisma's adapter also uses.
 * Only for a service's hot reads: on a page of recipes Prisma's client spent more than twice
 * the statement's own CPU, `$queryRaw` included (bench/README.md, item 20); writes, transactions
 * and every other read stay on Prisma. Values come back as node-postgres types them: timestamptz
 * as Date, numeric as string, int as number, arrays as arrays.
 */
export interface SqlReads {
  rows<Row>(text: string, values: unknown[]): Promise<Row[]>;
}

export function sqlReadsOn(pool: pg.Pool, onQuery?: (sql: string) => void): SqlReads {
  return {
    async rows<Row>(text: string, values: unknown[]) {
      onQuery?.(text);
      const result = await pool.query(text, values);
      return result.rows as Row[];
    },
  };
}

/** The casts a placeholder may carry: a closed list, because the type is written into the statement's text. */
export type SqlType = 'int4' | 'numeric' | 'text' | 'timestamptz' | 'uuid' | 'uuid[]';

/** The parameters of a statement written in pieces: each value added gives back its placeholder, cast to its column's type. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown, type: SqlType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}
