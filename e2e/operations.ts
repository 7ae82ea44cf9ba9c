import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print } from 'graphql';

const FILES = ['recipes.graphql', 'comments.graphql'];

/** The named example operations in schema/operations, so the tests run exactly what users are shown. */
function loadOperations(): Map<string, string> {
  const operations = new Map<string, string>();
  for (const file of FILES) {
    const source = readFileSync(fileURLToPath(new URL(`../schema/operations/${file}`, import.meta.url)), 'utf8');
    for (const definition of parse(source).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) {
        operations.set(definition.name.value, print(definition));
      }
    }
  }
  return operations;
}

const operations = loadOperations();

export function operation(name: string): string {
  const text = operations.get(name);
  if (!text) throw new Error(`no operation named ${name} in schema/operations`);
  return text;
}
