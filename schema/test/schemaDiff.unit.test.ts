import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareSchemas, exitCodeFor, formatReport, parseDiffArgs, type FileChanges } from '../schemaDiff.js';

const BEFORE = /* GraphQL */ `
  type Recipe {
    id: ID!
    title: String!
    timeMinutes: Int!
  }
  input RecipeFilter {
    titleContains: String
  }
  enum RecipeOrder {
    NEWEST
    TITLE
  }
  type Query {
    recipe(id: ID!): Recipe
    recipes(filter: RecipeFilter, orderBy: RecipeOrder = NEWEST): [Recipe!]!
  }
`;

const severities = async (after: string) =>
  (await compareSchemas(BEFORE, after)).map(({ severity, type, path }) => ({ severity, type, path }));

describe('compareSchemas', () => {
  it('reports nothing for the same schema', async () => {
    expect(await compareSchemas(BEFORE, BEFORE)).toEqual([]);
  });

  it('reports a removed field as breaking', async () => {
    const after = BEFORE.replace('    timeMinutes: Int!\n', '');
    expect(await severities(after)).toEqual([
      { severity: 'breaking', type: 'FIELD_REMOVED', path: 'Recipe.timeMinutes' },
    ]);
  });

  it("reports a field's changed type as breaking, nullability included", async () => {
    expect(await severities(BEFORE.replace('timeMinutes: Int!', 'timeMinutes: String!'))).toEqual([
      { severity: 'breaking', type: 'FIELD_TYPE_CHANGED', path: 'Recipe.timeMinutes' },
    ]);
    expect(await severities(BEFORE.replace('title: String!', 'title: String'))).toEqual([
      { severity: 'breaking', type: 'FIELD_TYPE_CHANGED', path: 'Recipe.title' },
    ]);
  });

  it('reports an added optional field as safe, on an output type and on an input type', async () => {
    const after = BEFORE.replace('    timeMinutes: Int!\n', '$&    spiceLevel: Int\n').replace(
      '    titleContains: String\n',
      '$&    maxTimeMinutes: Int\n',
    );
    expect(await severities(after)).toEqual([
      { severity: 'safe', type: 'FIELD_ADDED', path: 'Recipe.spiceLevel' },
      { severity: 'safe', type: 'INPUT_FIELD_ADDED', path: 'RecipeFilter.maxTimeMinutes' },
    ]);
  });

  it('reports a required input field as breaking and a new enum value as dangerous, breaking first', async () => {
    const after = BEFORE.replace('    TITLE\n', '$&    CHEAPEST\n').replace(
      '    titleContains: String\n',
      '$&    tag: String!\n',
    );
    expect(await severities(after)).toEqual([
      { severity: 'breaking', type: 'INPUT_FIELD_ADDED', path: 'RecipeFilter.tag' },
      { severity: 'dangerous', type: 'ENUM_VALUE_ADDED', path: 'RecipeOrder.CHEAPEST' },
    ]);
  });

  it('reads federation subgraph SDL as written: a new field is safe, a new enum value dangerous', async () => {
    const sdl = readFileSync(new URL('../recipes.graphql', import.meta.url), 'utf8');
    const after = sdl
      .replace('type Recipe @key(fields: "id") {\n', '$&  addedByTest: Int!\n')
      .replace('enum RecipeOrder {\n', '$&  ADDED_BY_TEST\n');
    expect((await compareSchemas(sdl, after)).map((change) => [change.severity, change.path])).toEqual([
      ['dangerous', 'RecipeOrder.ADDED_BY_TEST'],
      ['safe', 'Recipe.addedByTest'],
    ]);
  });

  it('treats a file missing on one side as everything added (safe) or removed (breaking)', async () => {
    const added = await compareSchemas(null, BEFORE);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((change) => change.severity === 'safe')).toBe(true);
    const removed = await compareSchemas(BEFORE, null);
    expect(removed.some((change) => change.severity === 'breaking')).toBe(true);
  });
});

describe('the verdict', () => {
  const files: FileChanges[] = [
    {
      file: 'schema/api.graphql',
      changes: [
        { severity: 'breaking', type: 'FIELD_REMOVED', message: "Field 'title' was removed from object type 'Recipe'" },
        { severity: 'safe', type: 'FIELD_ADDED', message: "Field 'name' was added to object type 'Recipe'" },
      ],
    },
    { file: 'schema/comments.graphql', changes: [] },
  ];

  it('fails on breaking changes unless they are declared intended', () => {
    expect(exitCodeFor(files, false)).toBe(1);
    expect(exitCodeFor(files, true)).toBe(0);
    expect(exitCodeFor([{ file: 'schema/api.graphql', changes: [files[0]!.changes[1]!] }], false)).toBe(0);
  });

  it('prints every change with its severity under its file, then the counts and what to do', () => {
    expect(formatReport('main', files, false)).toBe(
      [
        'Schema changes against main:',
        'schema/api.graphql:',
        "  ✖ BREAKING   Field 'title' was removed from object type 'Recipe'",
        "  ✓ SAFE       Field 'name' was added to object type 'Recipe'",
        'schema/comments.graphql: no changes',
        '',
        '1 breaking, 0 dangerous, 1 safe.',
        'Breaking changes fail this check. If they are intended, run again with --allow-breaking.',
      ].join('\n'),
    );
    expect(formatReport('main', files, true)).toMatch(/Breaking changes accepted \(--allow-breaking\)/);
  });
});

describe('parseDiffArgs', () => {
  it('needs --base and takes --allow-breaking', () => {
    expect(parseDiffArgs(['--base', 'main'])).toEqual({ base: 'main', allowBreaking: false });
    expect(parseDiffArgs(['--base=origin/main', '--allow-breaking'])).toEqual({
      base: 'origin/main',
      allowBreaking: true,
    });
    expect(() => parseDiffArgs([])).toThrow(/--base is required\nusage: npm run schema:diff/);
    expect(() => parseDiffArgs(['--base', 'main', '--force'])).toThrow(/Unknown option '--force'/);
  });
});
