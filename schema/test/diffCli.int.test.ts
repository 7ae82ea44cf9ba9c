import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA = path.join(ROOT, 'schema');
const exec = promisify(execFile);

let repo: string;

async function git(...args: string[]): Promise<void> {
  await exec(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd: repo,
    },
  );
}

/** `npm run schema:diff -- <args>` as the script runs it, with the scratch repository as the working directory. */
async function schemaDiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  try {
    const { stdout, stderr } = await exec(tsx, [path.join(SCHEMA, 'diff.ts'), ...args], { cwd: repo, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  const target = path.join(repo, file);
  const before = await readFile(target, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(target, after);
}

/** A scratch repository holding this repository's schema files, committed once as the base. */
beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), 'potluck-schema-diff-'));
  await mkdir(path.join(repo, 'schema'));
  for (const file of ['api.graphql', 'recipes.graphql', 'comments.graphql', 'supergraph.graphql']) {
    await writeFile(path.join(repo, 'schema', file), await readFile(path.join(SCHEMA, file)));
  }
  // The base has one field more than the working tree will, so a test can remove it.
  await edit('schema/api.graphql', (sdl) => sdl.replace('type Recipe {\n', '$&  retiredField: String\n'));
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'base');
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('schema/diff.ts (npm run schema:diff)', () => {
  it('reports no changes against the same commit', async () => {
    const result = await schemaDiff('--base', 'main');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('schema/api.graphql: no changes');
    expect(result.stdout).toContain('schema/recipes.graphql: no changes');
    expect(result.stdout).toContain('schema/comments.graphql: no changes');
    expect(result.stdout).not.toContain('supergraph');
  });

  it('passes with safe and dangerous changes, listing each under its file', async () => {
    await edit('schema/recipes.graphql', (sdl) =>
      sdl
        .replace('type Recipe @key(fields: "id") {\n', '$&  addedByTest: Int!\n')
        .replace('enum RecipeOrder {\n', '$&  ADDED_BY_TEST\n'),
    );
    const result = await schemaDiff('--base', 'main');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        'schema/recipes.graphql:',
        "  ! DANGEROUS  Enum value 'ADDED_BY_TEST' was added to enum 'RecipeOrder'",
        "  ✓ SAFE       Field 'addedByTest' was added to object type 'Recipe'",
      ].join('\n'),
    );
    expect(result.stdout).toContain('0 breaking, 1 dangerous, 1 safe.');
  });

  it('fails on a breaking change in the client-facing schema unless --allow-breaking says it is intended', async () => {
    await edit('schema/api.graphql', (sdl) => sdl.replace('  retiredField: String\n', ''));
    const refused = await schemaDiff('--base', 'main');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      "schema/api.graphql:\n  ✖ BREAKING   Field 'retiredField' was removed from object type 'Recipe'\n",
    );
    expect(refused.stdout).toMatch(/If they are intended, run again with --allow-breaking\.\n$/);

    const allowed = await schemaDiff('--base', 'main', '--allow-breaking');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('1 breaking, 1 dangerous, 1 safe.');
  });

  it('reports a new subgraph SDL as added', async () => {
    await writeFile(path.join(repo, 'schema/ratings.graphql'), 'type Query {\n  rating(id: ID!): Int\n}\n');
    const result = await schemaDiff('--base', 'main', '--allow-breaking');
    const section = result.stdout.slice(result.stdout.indexOf('schema/ratings.graphql (added):\n'));
    expect(section).toMatch(/^schema\/ratings\.graphql \(added\):\n( {2}✓ SAFE .*\n){4}schema\/recipes\.graphql:/);
    expect(section).toContain("  ✓ SAFE       Field 'rating' was added to object type 'Query'\n");
  });

  it('exits 2 with the reason for an unknown ref or a missing --base', async () => {
    const unknown = await schemaDiff('--base', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no commit named "no-such-branch"');
    const missing = await schemaDiff();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--base is required');
  });
});
