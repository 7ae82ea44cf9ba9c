import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUTPUTS = [
  'client/src/generated/graphql.ts',
  'subgraphs/recipes/src/generated/graphql.ts',
  'subgraphs/comments/src/generated/graphql.ts',
];
const INPUTS = ['codegen.ts', 'schema/api.graphql', 'schema/recipes.graphql', 'schema/comments.graphql'];
const scripts = (
  JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

let work: string;

/** Runs one of the root package.json scripts, as `npm run` would, in the scratch copy. */
async function run(script: 'codegen' | 'codegen:check'): Promise<{ code: number; output: string }> {
  const command = scripts[script];
  if (!command) throw new Error(`package.json has no "${script}" script`);
  const env = { ...process.env, PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` };
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', command], { cwd: work, env, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  const target = path.join(work, file);
  const before = await readFile(target, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(target, after);
}

/** The codegen inputs and committed outputs, copied to a scratch folder so the real ones are never touched. */
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'potluck-codegen-'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  for (const file of [...INPUTS, ...OUTPUTS]) await cp(path.join(ROOT, file), path.join(work, file));
  await cp(path.join(ROOT, 'schema/operations'), path.join(work, 'schema/operations'), { recursive: true });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('codegen check mode', () => {
  it('passes on the committed output, fails naming the stale file after an operation changes, writes nothing', async () => {
    expect(await run('codegen:check')).toMatchObject({ code: 0 });

    await edit('schema/operations/recipes.graphql', (text) =>
      text.replace(
        'mutation DeleteRecipe($id: ID!) {',
        'query RecipeTitle($id: ID!) {\n  recipe(id: $id) {\n    title\n  }\n}\n\n$&',
      ),
    );
    const stale = await run('codegen:check');

    expect(stale.code).toBe(1);
    expect(stale.output).toContain('client/src/generated/graphql.ts');
    expect(stale.output).not.toContain('subgraphs/recipes/src/generated/graphql.ts');
    const client = await readFile(path.join(work, OUTPUTS[0]!), 'utf8');
    expect(client).toBe(await readFile(path.join(ROOT, OUTPUTS[0]!), 'utf8'));
  }, 60_000);

  it('after a schema change, `codegen` brings every stale file up to date and the check passes again', async () => {
    await edit('schema/recipes.graphql', (text) =>
      text.replace('type Recipe @key(fields: "id") {\n', '$&  addedByTest: Int!\n'),
    );
    await edit('schema/api.graphql', (text) => text.replace('type Recipe {\n', '$&  addedByTest: Int!\n'));
    await edit('schema/operations/recipes.graphql', (text) =>
      text.replace('fragment RecipeDetails on Recipe {\n  id\n', '$&  addedByTest\n'),
    );

    const stale = await run('codegen:check');
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('subgraphs/recipes/src/generated/graphql.ts');
    expect(stale.output).not.toContain('subgraphs/comments/src/generated/graphql.ts');

    expect(await run('codegen')).toMatchObject({ code: 0 });
    expect(await run('codegen:check')).toMatchObject({ code: 0 });
    const client = await readFile(path.join(work, OUTPUTS[0]!), 'utf8');
    expect(client).toMatch(/export type CreateRecipeMutation = \{ createRecipe: \{ id: string, addedByTest: number,/);
    const resolvers = await readFile(path.join(work, OUTPUTS[1]!), 'utf8');
    expect(resolvers).toContain("addedByTest?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;");
  }, 60_000);
});
