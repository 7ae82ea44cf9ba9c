import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { compareSchemas, exitCodeFor, formatReport, parseDiffArgs, type FileChanges } from './schemaDiff.js';

/**
 * `npm run schema:diff -- --base <git ref> [--allow-breaking]`: compares the client-facing schema
 * and each subgraph SDL in the working tree with their versions at the ref, in the git repository
 * of the working directory. Exit 1 on breaking changes unless --allow-breaking, 2 on a usage or
 * git error.
 */
const CLIENT_SCHEMA = 'schema/api.graphql';
/** Composed for the gateway: its changes already show in api.graphql and the subgraph SDLs. */
const SKIPPED = new Set([CLIENT_SCHEMA, 'schema/supergraph.graphql']);

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function sdlFiles(listing: string): string[] {
  return listing.split('\n').filter((file) => /^schema\/[^/]+\.graphql$/.test(file));
}

async function readOrNull(read: () => Promise<string>): Promise<string | null> {
  try {
    return await read();
  } catch {
    return null;
  }
}

async function compareFile(root: string, base: string, file: string, existsAtBase: boolean): Promise<FileChanges> {
  const before = existsAtBase ? await git(root, 'show', `${base}:${file}`) : null;
  const after = await readOrNull(() => readFile(path.join(root, file), 'utf8'));
  const note = before === null ? 'added' : after === null ? 'removed' : undefined;
  return { file, ...(note && { note }), changes: await compareSchemas(before, after) };
}

async function main(): Promise<number> {
  const { base, allowBreaking } = parseDiffArgs(process.argv.slice(2));
  const root = (await git(process.cwd(), 'rev-parse', '--show-toplevel')).trim();
  if (!(await readOrNull(() => git(root, 'rev-parse', '--verify', '--quiet', `${base}^{commit}`)))) {
    throw new Error(`no commit named "${base}" in ${root}`);
  }
  const atBase = sdlFiles(await git(root, 'ls-tree', '--name-only', base, 'schema/'));
  const inTree = sdlFiles(await git(root, 'ls-files', '--cached', '--others', '--exclude-standard', 'schema/'));
  const subgraphs = [...new Set([...atBase, ...inTree])].filter((file) => !SKIPPED.has(file)).sort();
  const files: FileChanges[] = [];
  for (const file of [CLIENT_SCHEMA, ...subgraphs]) {
    files.push(await compareFile(root, base, file, atBase.includes(file)));
  }
  console.log(formatReport(base, files, allowBreaking));
  return exitCodeFor(files, allowBreaking);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
