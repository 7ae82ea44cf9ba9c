import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Kind, parse } from 'graphql';

/** The names of the operations these GraphQL documents define. */
export function operationNamesIn(documents: readonly string[]): string[] {
  const names = documents.flatMap((source) =>
    parse(source).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    ),
  );
  return [...new Set(names)];
}

/**
 * The operation names defined in a directory's `.graphql` files (Potluck's example
 * operations, from which the typed client is built): the names metrics label requests by.
 * A directory that is not there names none.
 */
export async function readOperationNames(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((file) => file.endsWith('.graphql')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return operationNamesIn(await Promise.all(files.map((file) => readFile(path.join(dir, file), 'utf8'))));
}
